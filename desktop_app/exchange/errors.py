"""Every refusal of an exchange file, in Japanese, naming the file and where applicable sheet/row/column.

``FileProblem`` is one finding; ``ExchangeRefused`` carries the list and is raised by every reading
function in this package, so a caller (CLI, GUI, HQ import) shows ``problems`` and imports nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from desktop_app.services.errors import ServiceError


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    out = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass(frozen=True)
class FileProblem:
    file: str
    message: str  # what is wrong and what to do, without the location
    sheet: str | None = None
    row: int | None = None
    column: str | None = None  # column letter, e.g. "B"
    column_label: str | None = None  # the form's heading, e.g. "アカウントID"

    @property
    def text(self) -> str:
        where = [f"ファイル「{self.file}」"]
        if self.sheet:
            where.append(f"シート「{self.sheet}」")
        if self.row:
            where.append(f"{self.row}行目")
        if self.column:
            where.append(f"{self.column}列" + (f"({self.column_label})" if self.column_label else ""))
        return " ".join(where) + ": " + self.message

    def to_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.text}


@dataclass
class ExchangeRefused(ServiceError):
    """The file is refused as a whole; nothing of it may be imported."""

    file: str
    problems: list[FileProblem] = field(default_factory=list)
    signature: str = "invalid"  # "invalid" | "unknown-key" | "revoked" | "absent"
    signed: bool = False

    def __post_init__(self) -> None:
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if not self.problems:
            return f"ファイル「{self.file}」は読み込めません"
        first = self.problems[0].text
        more = len(self.problems) - 1
        return first + (f"(ほか{more}件)" if more > 0 else "")


def refuse(file: str, message: str, *, signature: str = "invalid", signed: bool = False,
           **where: Any) -> ExchangeRefused:
    return ExchangeRefused(file, [FileProblem(file, message, **where)], signature=signature, signed=signed)
