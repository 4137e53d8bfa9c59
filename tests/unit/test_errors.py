"""One root exception: every error the kiosk raises on purpose is a KioskError, and `kiosk` catches it once.

The rule as a test (every exception class in the shipped packages), proof the checker sees a stray one,
and the command's single ``except`` giving each error its own exit code and words.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import types

import pytest

import app.main
from kiosk.errors import ExitCode, KioskError
from kiosk.outbox import OutboxError
from kiosk.records.validate import BatchRejected
from kiosk.store import StoreError
from kiosk.store.migrate import MigrationError

PACKAGES = ("kiosk", "sync", "printing")
#: Exceptions that are not errors for staff, each with the reason it stays outside the root.
OUTSIDE = {
    "sync.portal.app.ApiError": "an HTTP answer of the portal, turned into a response by its error handler",
    "sync.portal.cli.Failure": "kiosk-portal's own message-and-exit-code, caught in its main()",
}


def shipped_modules() -> list[types.ModuleType]:
    modules = []
    for name in PACKAGES:
        package = importlib.import_module(name)
        modules.append(package)
        modules += [importlib.import_module(info.name) for info in pkgutil.walk_packages(package.__path__, f"{name}.")]
    return modules


def stray_exceptions(modules: list[types.ModuleType]) -> list[str]:
    """Public exception classes defined in ``modules`` that are not KioskErrors (and not allowed outside)."""
    stray = []
    for module in modules:
        for name, value in vars(module).items():
            if (inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == module.__name__
                    and not name.startswith("_") and not issubclass(value, KioskError)
                    and f"{module.__name__}.{name}" not in OUTSIDE):
                stray.append(f"{module.__name__}.{name}")
    return stray


def test_every_public_exception_in_the_shipped_packages_is_a_kiosk_error() -> None:
    assert stray_exceptions(shipped_modules()) == []


def test_the_checker_would_catch_a_stray_exception() -> None:
    module = types.ModuleType("kiosk.fake")
    exec("class LooseError(RuntimeError):\n    pass\nclass _Private(Exception):\n    pass\n", module.__dict__)
    assert stray_exceptions([module]) == ["kiosk.fake.LooseError"]


def test_old_excepts_still_catch_them() -> None:
    """KioskError is an extra base: code written against RuntimeError or ValueError keeps working."""
    assert issubclass(StoreError, RuntimeError) and issubclass(MigrationError, RuntimeError) and issubclass(OutboxError, RuntimeError)
    from kiosk.sealing import SealingError
    from sync.feed import FeedFormatError

    assert issubclass(SealingError, ValueError) and issubclass(FeedFormatError, ValueError)


@pytest.mark.parametrize(("error", "code", "first_line"), [
    (StoreError("the disk is full; nothing was imported and the stored content is unchanged"), ExitCode.STORE, "the disk is full"),
    (MigrationError("schema version 9, newer than this app knows (2)"), ExitCode.STORE, "schema version 9"),
    (BatchRejected(["a.jsonl:1: record 'x', field 'kind': expected a kind"]), ExitCode.BAD_INPUT, "import refused, the store is unchanged."),
    (OutboxError("rating must be a whole number from 1 to 5 (found 9)"), ExitCode.BAD_INPUT, "rating must be"),
])
def test_the_command_catches_every_kiosk_error_once(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path,
                                                     error: KioskError, code: int, first_line: str) -> None:
    def handler(_args: object, _terminal: object) -> int:
        raise error

    monkeypatch.setattr(app.main, "cmd_info", handler)
    assert app.main.main(["info", "--data-dir", str(tmp_path)]) == code
    stderr = capsys.readouterr().err
    assert stderr.splitlines()[0].startswith(first_line) and str(error) in stderr


def test_a_bug_is_not_swallowed(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """Only errors raised on purpose are caught: a bug keeps its traceback."""
    def handler(_args: object, _terminal: object) -> int:
        raise TypeError("a bug")

    monkeypatch.setattr(app.main, "cmd_info", handler)
    with pytest.raises(TypeError, match="a bug"):
        app.main.main(["info", "--data-dir", str(tmp_path)])
