"""Row validation for the 別添 form: errors block a row, warnings ask for a second look."""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from desktop_app import account_id, confusables, resources
from desktop_app.case_types import parse_label
from desktop_app.forms import LINE_WORKS, FormDefinition
from desktop_app.normalize import normalize_account_id
from desktop_app.wareki import WarekiError, format_wareki, parse_date

ERROR = "error"
WARNING = "warning"
OLD_DATE_DAYS = 365


@dataclass(frozen=True)
class Issue:
    column: str  # a Column.key
    severity: str  # ERROR | WARNING
    message: str  # Japanese, for the officer

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


_ID_MESSAGES = {
    "id.empty": "アカウントIDが入力されていません",
    "id.too_long": "アカウントIDが長すぎます({detail}文字。90文字以内)",
    "id.at_count": "アカウントIDは「ID@ドメイン」の形で、@は1つだけです(いま{detail}個)",
    "id.local_length": "@より前は2〜40文字です(いま{detail}文字)",
    "id.local_chars": "@より前に使えない文字があります: {detail}(使えるのは英小文字・数字・. - _)",
    "id.local_start": "@より前の先頭は英字か数字です(「{detail}」で始まっています)",
    "id.local_trailing_dot": "@の直前にドットは置けません",
    "id.local_double_dot": "ドットを2つ続けることはできません",
    "id.domain_empty": "@より後(ドメインまたはグループ名)がありません",
    "id.domain_invalid": "@より後の「{detail}」はドメインまたはグループ名として正しくありません",
    "id.domain_dot": "@より後でドットが続いているか、先頭・末尾にドットがあります",
    "id.domain_tld": "ドメインの末尾「{detail}」が正しくありません",
}


def account_id_issues(raw: str | None) -> list[Issue]:
    norm = normalize_account_id(raw)
    issues = []
    for p in account_id.check_account_id(norm):
        detail = p.detail
        if p.code == "id.local_chars":
            detail = "、".join(confusables.char_name(c) for c in p.detail)
        issues.append(Issue("account_id", ERROR, _ID_MESSAGES[p.code].format(detail=detail)))
    look = confusables.lookalikes_in(str(raw or ""))
    if look and not issues:
        issues.append(Issue("account_id", ERROR, "英字に見える別の文字が含まれています: "
                            + "、".join(confusables.char_name(c) for c in look)))
    if not any(i.is_error for i in issues):
        amb = confusables.ambiguous_characters(norm, str(raw or ""))
        if amb:
            names = "、".join(confusables.char_name_seq(a) for a in amb)
            issues.append(Issue("account_id", WARNING,
                                f"見間違えやすい文字があります({names})。資料と一字ずつ照合してください"))
    return issues


def date_issues(value: str | dt.date | None, today: dt.date) -> list[Issue]:
    try:
        day = parse_date(value, today=today)
    except WarekiError as exc:
        return [Issue("recognized_on", ERROR, str(exc))]
    if day > today:
        return [Issue("recognized_on", ERROR, f"認知日({format_wareki(day)})が未来の日付です")]
    if (today - day).days > OLD_DATE_DAYS:
        return [Issue("recognized_on", WARNING,
                      f"認知日({format_wareki(day)})が1年以上前です。誤りでないか確認してください")]
    return []


_LINE_WORKS_COLUMNS = LINE_WORKS.data_columns  # the property builds a new tuple on every call


def validate_row(row: Mapping[str, object], *, stations: Collection[str] | None = None,
                 today: dt.date | None = None, form: FormDefinition = LINE_WORKS) -> list[Issue]:
    """Check one row. ``row`` holds column keys; ``account_id`` may be raw, ``case_type`` a label
    or a type with ``refinement`` beside it; ``recognized_on`` ISO or any accepted date text."""
    today = today or dt.date.today()
    issues: list[Issue] = []
    for col in (_LINE_WORKS_COLUMNS if form is LINE_WORKS else form.data_columns):
        value = row.get(col.key)
        text = "" if value is None else str(value).strip()
        if col.kind == "account_id":
            issues += account_id_issues(row.get(col.key + "_raw") or value)
            continue
        if not text:
            if col.required:
                issues.append(Issue(col.key, ERROR, f"{col.label}が入力されていません"))
            continue
        if col.max_length and len(text) > col.max_length:
            issues.append(Issue(col.key, ERROR, f"{col.label}は{col.max_length}文字以内です(いま{len(text)}文字)"))
        if col.kind == "case_type":
            ref = row.get("refinement")
            parsed = parse_label(f"{text}({ref})" if ref else text)
            if parsed is None:
                choices = "、".join(resources.case_types())
                issues.append(Issue(col.key, ERROR, f"類型「{text}」は選べません({choices}のいずれか)"))
        elif col.kind == "station" and stations is not None and text not in stations:
            issues.append(Issue(col.key, ERROR, f"警察署「{text}」は警察署一覧にありません"))
        elif col.kind == "date":
            issues += date_issues(value, today)
    return issues


def has_errors(issues: list[Issue]) -> bool:
    return any(i.is_error for i in issues)
