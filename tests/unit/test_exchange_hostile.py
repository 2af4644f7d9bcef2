"""Hostile files are refused before any parser expands them, with a Japanese message and bounded memory."""
from __future__ import annotations

import tracemalloc

import openpyxl
import pytest

from desktop_app.exchange.errors import ExchangeRefused
from desktop_app.exchange.reader import assert_safe_xml_parsing, read_exchange_file
from desktop_app.exchange.verify import StaticTrust, verify_file
from tests.fixtures.exchange_files import hostile_files

EXPECTED_WORDS = {
    "not_a_zip.xlsx": "ではありません",
    "old_format.xls": "名前を付けて保存",
    "truncated.xlsx": "壊れています",
    "zip_bomb.xlsx": "圧縮",
    "entity_expansion.xlsx": "DOCTYPE",
    "xxe.xlsx": "DOCTYPE",
    "dotdot_name.xlsx": "不正な名前",
    "external_link.xlsx": "外部リンク",
    "external_rel.xlsx": "外部",
    "vba_project.xlsx": "マクロ",
    "formula_cells.xlsx": "数式",
}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return hostile_files(tmp_path_factory.mktemp("hostile"))


def test_every_fixture_has_an_expectation(files):
    assert set(files) == set(EXPECTED_WORDS)


@pytest.mark.parametrize("name", sorted(EXPECTED_WORDS))
def test_hostile_file_is_refused_with_bounded_memory(files, name):
    tracemalloc.start()
    try:
        with pytest.raises(ExchangeRefused) as err:
            read_exchange_file(files[name], StaticTrust())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    message = str(err.value)
    assert name in message and EXPECTED_WORDS[name] in message, message
    assert peak < 32 << 20, f"{name}: peak {peak >> 20} MiB"  # the 200 MiB bomb is never inflated


def test_formula_refusal_names_sheet_row_and_column(files):
    with pytest.raises(ExchangeRefused) as err:
        read_exchange_file(files["formula_cells.xlsx"], StaticTrust())
    p = err.value.problems[0]
    assert (p.sheet, p.row, p.column) == ("Sheet1", 2, "B")
    assert p.to_dict() == {"sheet": "Sheet1", "row": 2, "column": "B", "message": p.text}


@pytest.mark.parametrize("name", sorted(EXPECTED_WORDS))
def test_verify_reports_hostile_files_as_not_valid(files, name):
    v = verify_file(files[name], StaticTrust())
    assert not v.ok


def test_openpyxl_parses_through_defusedxml():
    assert openpyxl.DEFUSEDXML is True
    assert_safe_xml_parsing()


def test_startup_check_refuses_without_defusedxml(monkeypatch):
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    with pytest.raises(RuntimeError):
        assert_safe_xml_parsing()
