"""Signed exchange files: the 別添 workbook that stations, HQ and the NPA write, sign, verify and read.

Public API (see each module's docstring):
- ``reader.read_exchange_file(path, trust, *, expect_prefecture=None, ...) -> ExchangeDocument``:
  the one entry point for every received file, signed or hand-filled; all-or-nothing, raises
  ``errors.ExchangeRefused`` with Japanese ``FileProblem``s (file, sheet, row, column).
- ``verify.verify_file(path, trust) -> Verification``: signature check only.
- ``writer.write_exchange_file(...)``: any document kind, signed with this unit's key.
- ``reader.assert_safe_xml_parsing()``: start-up check that openpyxl uses defusedxml.
"""
