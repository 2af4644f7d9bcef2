"""Forms as data: the columns of a request form, their kinds, limits and which are double-entered.

The pipeline (entry screen, validation, dual entry, workbook writer and reader) walks these
definitions instead of naming columns, so a second form (e.g. the fixed-line / 050 number request)
is a new ``FormDefinition``, not a rewrite.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Column:
    key: str  # name in code and in the database
    label: str  # heading on the 別添 form
    kind: str  # "number" | "account_id" | "text" | "case_type" | "station" | "date"
    required: bool = True
    max_length: int | None = None
    double_entry: bool = False  # re-typed blind by a second officer
    double_entry_optional: bool = False  # a setting may turn double entry on
    width: int = 16  # characters, for screen and workbook
    aliases: tuple[str, ...] = ()  # header words seen in hand-filled files


@dataclass(frozen=True)
class FormDefinition:
    key: str
    title: str  # as printed above the table
    sheet_name: str
    columns: tuple[Column, ...]
    template_rows: int = 20
    header_fields: tuple[str, ...] = ("prefecture",)
    version: int = 1

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    @property
    def data_columns(self) -> tuple[Column, ...]:
        """Columns an officer fills in (番号 is automatic)."""
        return tuple(c for c in self.columns if c.kind != "number")

    def double_entry_columns(self, *, optional_on: bool = False) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.double_entry or (optional_on and c.double_entry_optional))

    def with_double_entry(self, keys: set[str]) -> "FormDefinition":
        cols = tuple(replace(c, double_entry=c.double_entry or c.key in keys) for c in self.columns)
        return replace(self, columns=cols)


LINE_WORKS = FormDefinition(
    key="line_works",
    title="LINE WORKSの犯行利用アカウント情報",
    sheet_name="別添",
    columns=(
        Column("number", "番号", "number", width=6, aliases=("No", "NO", "No.", "№", "通番")),
        Column("account_id", "アカウントID", "account_id", max_length=90, double_entry=True, width=34,
               aliases=("アカウント ID", "アカウントＩＤ", "ID", "トークID", "LINE WORKS ID")),
        Column("user_name", "ユーザー名", "text", max_length=100, double_entry_optional=True, width=22,
               aliases=("ユーザ名", "ユーザーネーム", "表示名", "アカウント名")),
        Column("organization", "企業/団体名", "text", required=False, max_length=100,
               double_entry_optional=True, width=22,
               aliases=("企業・団体名", "企業／団体名", "企業名", "団体名", "会社名", "企業/団体")),
        Column("case_type", "類型", "case_type", width=20, aliases=("罪種", "手口", "種別")),
        Column("station", "警察署", "station", width=16, aliases=("署名", "警察署名", "取扱署", "受理署")),
        Column("recognized_on", "認知日", "date", width=16,
               aliases=("認知年月日", "認知日付", "認知年月", "受理日")),
    ),
)

FORMS: dict[str, FormDefinition] = {LINE_WORKS.key: LINE_WORKS}
