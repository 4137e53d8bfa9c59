# make run  — set everything up, then start the kiosk on the bundled demo county
# make test — set everything up, then run the whole test suite
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
DATA   := .data/demo

.PHONY: setup run test test-shifted lint bench docs i18n clean

$(STAMP): pyproject.toml scripts/setup-system.sh
	@bash scripts/setup-system.sh
	@test -x $(PY) || python3 -m venv $(VENV)
	@echo "Installing Python packages from pyproject.toml into $(VENV) ..."
	@$(PY) -m pip install -q --disable-pip-version-check -e '.[dev,bench]'
	@touch $(STAMP)

setup: $(STAMP)

run: setup
	@bash scripts/run-demo.sh $(PY) $(DATA)

test: setup
	@$(VENV)/bin/ruff check .
	@$(PY) -m pytest -q
	@bash scripts/test-clock.sh $(PY) awkward

# the whole suite with the machine's clock a year ahead, then a year behind (issue 11's proof; ~10 min)
test-shifted: setup
	@bash scripts/test-clock.sh $(PY) shifted

lint: setup
	@$(VENV)/bin/ruff check .

bench: setup
	@$(PY) bench/bench_store.py --scale province --write-doc
	@$(PY) bench/bench_ui.py --write-doc
	@$(PY) bench/bench_print.py --write-doc
	@$(PY) bench/bench_sync.py --write-doc
	@$(PY) bench/bench_portal.py --write-doc
	@$(PY) bench/bench_kiwix.py --write-doc

docs: setup
	@$(VENV)/bin/kiosk docs

# after changing any tr()/ntr()/ptr()/N_() text: extract, keep English, list what needs translating, regenerate 繁體中文
i18n: setup
	@$(PY) tools/i18n.py update

clean:
	rm -rf $(VENV) .data .pytest_cache
