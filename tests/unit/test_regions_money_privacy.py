from __future__ import annotations

import pytest

from kiosk import regions
from kiosk.money import format_fen
from kiosk.privacy import mask_name, mask_numbers, mask_payment


def test_region_chain_from_a_village_goes_up_to_national() -> None:
    assert regions.chain("990121101201") == [
        "990121101201", "990121101000", "990121000000", "990100000000", "990000000000", "000000000000",
    ]
    assert regions.level_of("990121000000") == "county"
    assert regions.parent_of("000000000000") is None


@pytest.mark.parametrize("bad", ["99012110120", "9901211012011", "99012100020a", "990121000201", "000000101000", ""])
def test_malformed_region_codes_are_refused(bad: str) -> None:
    assert not regions.is_valid(bad)
    with pytest.raises(regions.RegionCodeError):
        regions.check_code(bad)


@pytest.mark.parametrize(("fen", "text"), [(0, "¥0.00"), (5, "¥0.05"), (123450, "¥1,234.50"), (-99, "-¥0.99"), (10**12, "¥10,000,000,000.00")])
def test_money_is_formatted_from_integer_fen(fen: int, text: str) -> None:
    assert format_fen(fen) == text


def test_money_refuses_floats_and_bools() -> None:
    for bad in (1.5, True, "12"):
        with pytest.raises(TypeError):
            format_fen(bad)  # type: ignore[arg-type]
    assert format_fen(123450, symbol=False) == "1,234.50元"


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三明", "张*明"), ("张三", "张*"), ("欧阳振华", "欧阳*华"), ("司马相如", "司马*如"), ("李", "李"),
     ("买买提·艾力", "买*力"), ("张*明", "张*明"), ("王小二麻子", "王*子"), (" 刘德华 ", "刘*华")],
)
def test_names_keep_only_surname_and_last_character(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_id_bank_and_phone_numbers_are_masked_in_free_text() -> None:
    text = "身份证430521198001011234，卡号6222020200112233445，电话13812345678，旧证430521800101123，尾号X：43052119800101123X"
    masked = mask_numbers(text)
    for secret in ("430521198001011234", "6222020200112233445", "12345678", "430521800101123", "43052119800101123X"):
        assert secret not in masked
    assert "138****5678" in masked
    assert "6222 0202 0011 2233 445" not in mask_numbers("卡号 6222 0202 0011 2233 445")


def test_short_numbers_that_are_not_personal_stay_readable() -> None:
    assert mask_numbers("5.2亩，2026年，合计62400分，电话0739-5213001") == "5.2亩，2026年，合计62400分，电话0739-5213001"


def test_payment_masking_covers_every_text_field_and_keeps_the_source_untouched() -> None:
    record = {"recipient": "欧阳振华", "note": "银行卡6222020200112233445 手机13912345678", "quantity": "3亩", "amount_fen": 100}
    masked = mask_payment(record)
    assert masked["recipient"] == "欧阳*华"
    assert "6222020200112233445" not in masked["note"] and "139****5678" in masked["note"]
    assert record["recipient"] == "欧阳振华"
