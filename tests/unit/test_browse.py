from __future__ import annotations

from kiosk.browse import Browser, DocumentFilter, PaymentFilter, ledger_summary
from kiosk.terminal import Terminal
from tests.helpers.records import OTHER_VILLAGE, VILLAGE, make


def _browser(terminal: Terminal) -> Browser:
    return Browser(terminal.store, terminal.scope())


def test_documents_filter_by_year_validity_and_interpretation(terminal: Terminal) -> None:
    terminal.store.apply([
        make("document", "d-2026", published_date="2026-05-01"),
        make("document", "d-2025", published_date="2025-05-01", validity="已废止"),
        make("document", "d-int", published_date="2026-06-01", interpretation={
            "form": "问答解读", "text": "解读正文", "interpreter": "王明", "interpreter_phone": "0739-5212000",
            "qa": [{"q": "谁能领？", "a": "种地农民。"}]}),
    ])
    browser = _browser(terminal)
    assert [d["id"] for d in browser.documents().rows] == ["d-int", "d-2026", "d-2025"]
    assert [d["id"] for d in browser.documents(DocumentFilter(year=2026)).rows] == ["d-int", "d-2026"]
    assert browser.documents(DocumentFilter(validity="已废止")).total == 1
    assert [d["id"] for d in browser.documents(DocumentFilter(interpreted_only=True)).rows] == ["d-int"]
    facets = browser.document_facets()
    assert facets["year"] == [("2026", 2), ("2025", 1)] and ("已废止", 1) in facets["validity"]
    page = browser.documents(offset=1, limit=1)
    assert (page.total, [d["id"] for d in page.rows]) == (3, ["d-2026"])


def test_payments_of_one_village_search_by_masked_name_with_totals(terminal: Terminal) -> None:
    terminal.store.apply([
        make("subsidy_payment", "p1", recipient="张三明", amount_fen=62400),
        make("subsidy_payment", "p2", recipient="张小红", amount_fen=10050, period="2025", paid_date="2025-06-01"),
        make("subsidy_payment", "p3", recipient="李四", amount_fen=30000),
        make("subsidy_payment", "p4", recipient="张阿四", amount_fen=1176, status="待发放"),
        make("subsidy_payment", "p5", recipient="李五", amount_fen=500, status="退回"),
        make("subsidy_payment", "p-other", region=OTHER_VILLAGE, recipient="张三明", amount_fen=99999),
    ])
    browser = _browser(terminal)
    everything = browser.payments(VILLAGE)
    totals = everything.extra["totals"]
    assert everything.total == 5
    assert (totals.paid, totals.pending, totals.returned) == ((3, 102450), (1, 1176), (1, 500))  # never one sum
    zhang = browser.payments(VILLAGE, PaymentFilter(name="张"))
    assert (zhang.total, zhang.extra["totals"].paid, zhang.extra["totals"].pending) == (3, (2, 72450), (1, 1176))
    assert {row["recipient"] for row in zhang.rows} == {"张*明", "张*红", "张*四"}
    assert browser.payments(VILLAGE, PaymentFilter(name="张三明")).total == 0  # full names are not on the terminal
    assert browser.payments(VILLAGE, PaymentFilter(year=2025)).extra["totals"].paid == (1, 10050)
    assert browser.payments(OTHER_VILLAGE).total == 0  # outside this terminal's scope


def test_board_periods_and_ledger_summary(terminal: Terminal) -> None:
    terminal.store.apply([make("board", "b1"), make("board", "b0", period="2025-Q4", title="2025年第四季度财务公开")])
    browser = _browser(terminal)
    assert browser.board_periods(VILLAGE, "finance") == ["2026-Q1", "2025-Q4"]
    board = browser.board(VILLAGE, "finance", "2026-Q1")
    summary = ledger_summary(board)
    assert (summary.opening_fen + summary.income_fen - summary.expense_fen) == summary.closing_fen == 137655
    assert summary.expense_by_category == [("办公费", 12345)]
    assert browser.board(VILLAGE, "party", "2026-Q1") is None


def test_catalogue_domains_with_item_counts(demo_terminal: Terminal) -> None:
    browser = _browser(demo_terminal)
    domains = browser.catalogue_domains()
    assert len(domains) >= 26 and sum(count for _, count in domains) >= 150
    domain, count = domains[0]
    page = browser.catalogue_items(domain["id"])
    assert page.total == count and all(item["domain_id"] == domain["id"] for item in page.rows)
    items = [item for each, _count in domains for item in browser.catalogue_items(each["id"], limit=500).rows]
    linked = [item for item in items if item.get("document_ids")]
    assert linked and browser.linked_documents(linked[0])


def test_village_screens_start_on_the_terminals_village_or_the_first_with_content(demo_terminal: Terminal) -> None:
    county_hall = Browser(demo_terminal.store, [code for (code,) in demo_terminal.store.sql("SELECT DISTINCT region FROM record")])
    villages, first = county_hall.starting_village("board", demo_terminal.region)
    assert len(villages) == 5 and first == demo_terminal.region
    villages, first = county_hall.starting_village("subsidy_payment", "990121000000")  # a county hall has no village of its own
    assert first == villages[0] == sorted(villages)[0]
    assert Browser(demo_terminal.store, demo_terminal.scope()).starting_village("board", "990121000000") == ([demo_terminal.region], demo_terminal.region)


def test_surnames_on_a_payment_list_are_the_ones_masking_keeps_and_pick_by_start_of_name(terminal: Terminal) -> None:
    terminal.store.apply([
        make("subsidy_payment", "p1", recipient="王明", amount_fen=100),
        make("subsidy_payment", "p2", recipient="王小红", amount_fen=200),
        make("subsidy_payment", "p3", recipient="欧阳春华", amount_fen=300),
        make("subsidy_payment", "p4", recipient="李大王", amount_fen=400),  # 王 as the last character: masked 李*王
        make("subsidy_payment", "p-other", region=OTHER_VILLAGE, recipient="赵六", amount_fen=500),
    ])
    browser = _browser(terminal)
    assert browser.payment_surnames(VILLAGE) == [("王", 2), ("李", 1), ("欧阳", 1)]
    wang = browser.payments(VILLAGE, PaymentFilter(surname="王"))
    assert {row["recipient"] for row in wang.rows} == {"王*", "王*红"}  # not 李*王, whom a 王 in the name filter finds
    assert wang.extra["totals"].paid == (2, 300)
    assert {row["recipient"] for row in browser.payments(VILLAGE, PaymentFilter(surname="欧阳")).rows} == {"欧阳*华"}
