"""判定: a third officer compares both typed values with the source, chooses, and says why.

Public API:
- ``AdjudicationDialog.run(parent, ctx, entry_id=None) -> bool`` — the adjudicator signs in with
  their own PIN, then decides the rows in 判定待ち (starting at ``entry_id`` when given).
- ``AdjudicationDialog(ctx, adjudicator, entry_id=None, parent=None)`` for tests: pick
  ``first_radio`` / ``second_radio`` / ``other_radio`` (+ ``other_edit``), type ``reason_edit``,
  press ``decide_button``; ``message`` says what happened; signal ``entriesChanged``.

Both values stand one above the other in the ID font with every differing character highlighted,
each difference named in words (「O(オー)と0(ゼロ)」), and the raw typed values shown with what the
normalisation changed in them, so that no difference is hidden from the person deciding.
"""
from __future__ import annotations

import html
import logging

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (QButtonGroup, QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QRadioButton, QTextBrowser, QVBoxLayout)

from desktop_app import dual_entry
from desktop_app.entry import Status
from desktop_app.services.errors import ServiceError
from desktop_app.services.officers import Officer
from desktop_app.services.verification import ConflictCase
from ui import theme
from ui.sign_in_dialog import run_signed_in

log = logging.getLogger(__name__)

HIGHLIGHT = "background-color:#ffd54f;color:#000000;font-weight:bold;"
GAP = "background-color:#ef9a9a;"
RESULT_LABELS = {"match": "一致", "mismatch": "不一致", "repeat": "同じ値を再入力", "limit": "不一致(上限)"}


def visible(text: str) -> str:
    """A raw value with spaces and invisible characters made visible (HTML-escaped)."""
    out = []
    for ch in text:
        if ch == " ":
            out.append("␣")
        elif ch == "\u3000":
            out.append("□")
        elif not ch.isprintable() or dual_entry.strip_invisible(ch) == "":
            out.append(f"⟨U+{ord(ch):04X}⟩")
        else:
            out.append(ch)
    return html.escape("".join(out))


def aligned_html(segments) -> tuple[str, str]:
    """Two lines, aligned column for column in a monospace font, differing characters marked."""
    first, second = [], []
    for seg in segments:
        a, b = html.escape(seg.first), html.escape(seg.second)
        if seg.op == dual_entry.EQUAL:
            first.append(a)
            second.append(b)
            continue
        width = max(len(seg.first), len(seg.second))
        pad_a = "&nbsp;" * (width - len(seg.first))
        pad_b = "&nbsp;" * (width - len(seg.second))
        first.append(f'<span style="{HIGHLIGHT}">{a}</span>' + (f'<span style="{GAP}">{pad_a}</span>' if pad_a else ""))
        second.append(f'<span style="{HIGHLIGHT}">{b}</span>' + (f'<span style="{GAP}">{pad_b}</span>' if pad_b else ""))
    return "".join(first), "".join(second)


def case_html(case: ConflictCase, family: str) -> str:
    line1, line2 = aligned_html(case.comparison.segments)
    mono = f"font-family:'{family}',monospace;font-size:15pt;white-space:pre;"
    tr = QCoreApplication.translate
    parts = [
        f"<table cellspacing='0' cellpadding='3'>"
        f"<tr><td>{tr('AdjudicationDialog', '1回目(入力者)')}&nbsp;{html.escape(case.first_officer)}</td>"
        f"<td style=\"{mono}\">{line1}</td></tr>"
        f"<tr><td>{tr('AdjudicationDialog', '2回目(確認者)')}&nbsp;{html.escape(case.second_officer)}</td>"
        f"<td style=\"{mono}\">{line2}</td></tr></table>",
        f"<p><b>{tr('AdjudicationDialog', '違い')}</b></p><ul>",
    ]
    parts += [f"<li>{html.escape(d)}</li>" for d in case.comparison.descriptions()]
    parts.append("</ul>")
    parts.append(f"<p><b>{tr('AdjudicationDialog', '入力されたそのままの値')}</b>"
                 f"(␣ = 空白、⟨U+…⟩ = 見えない文字)</p><ul>")
    for label, raw, feats in (("1回目", case.first_raw, case.first_features),
                              ("2回目", case.second_raw, case.second_features)):
        note = "、".join(feats) if feats else "正規化による変更なし"
        parts.append(f"<li>{label}: <span style=\"{mono}font-size:11pt;\">{visible(raw)}</span> — {html.escape(note)}</li>")
    parts.append("</ul>")
    parts.append(f"<p><b>{tr('AdjudicationDialog', '確認入力の記録')}</b></p><ul>")
    for a in case.attempts:
        parts.append(f"<li>確認入力{a.attempt}回目 {html.escape(a.officer)}: <span style=\"{mono}font-size:11pt;\">"
                     f"{visible(a.typed_raw)}</span>({RESULT_LABELS.get(a.result, a.result)})</li>")
    parts.append("</ul>")
    parts.append(f"<p style='color:#555'>比較の規則: {html.escape(dual_entry.NORMALIZATION_RULES[case.column.kind if case.column.kind == 'account_id' else 'text'])}</p>")
    return "".join(parts)


class AdjudicationDialog(QDialog):
    entriesChanged = Signal()

    def __init__(self, ctx, adjudicator: Officer, entry_id: str | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("adjudicationDialog")
        self.setWindowTitle(self.tr("判定(不一致の解消)"))
        self.resize(760, 640)
        self._ctx = ctx
        self._svc = ctx.verification
        self.adjudicator = adjudicator
        self.case: ConflictCase | None = None
        self.changed = False

        layout = QVBoxLayout(self)
        who = QLabel(self.tr("判定者: {who}").format(who=adjudicator.label), self)
        layout.addWidget(who)
        self.heading = QLabel(self)
        self.heading.setObjectName("caseHeading")
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.view = QTextBrowser(self)
        self.view.setObjectName("caseView")
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout.addWidget(self.view, 1)

        self.first_radio = QRadioButton(self)
        self.second_radio = QRadioButton(self)
        self.other_radio = QRadioButton(self.tr("正しい値を入力する(&3):"), self)
        self.group = QButtonGroup(self)
        for i, r in enumerate((self.first_radio, self.second_radio, self.other_radio)):
            self.group.addButton(r, i)
            r.setFont(theme.id_font())
        self.other_radio.setFont(self.font())
        layout.addWidget(self.first_radio)
        layout.addWidget(self.second_radio)
        other_row = QHBoxLayout()
        other_row.addWidget(self.other_radio)
        self.other_edit = QLineEdit(self)
        self.other_edit.setObjectName("otherValue")
        self.other_edit.setFont(theme.id_font())
        self.other_edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.other_edit.textEdited.connect(lambda _t: self.other_radio.setChecked(True))
        other_row.addWidget(self.other_edit, 1)
        layout.addLayout(other_row)
        form = QFormLayout()
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setObjectName("reason")
        self.reason_edit.setPlaceholderText(self.tr("例: 被害者のスクリーンショットで「0(ゼロ)」と確認"))
        self.reason_edit.returnPressed.connect(self.decide)
        form.addRow(self.tr("理由(必須)(&R)"), self.reason_edit)
        layout.addLayout(form)
        self.message = QLabel("", self)
        self.message.setObjectName("adjudicationMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        self.decide_button = QPushButton(self.tr("判定を確定(Enter)"), self)
        self.decide_button.setObjectName("decide")
        self.decide_button.clicked.connect(self.decide)
        close = QPushButton(self.tr("閉じる(Esc)"), self)
        close.clicked.connect(self.reject)
        for b in (self.decide_button, close):
            b.setAutoDefault(False)
            row.addWidget(b)
        layout.addLayout(row)
        self._open(entry_id)

    def _open(self, entry_id: str | None) -> None:
        self.case = None
        candidates = [entry_id] if entry_id else [e.id for e in self._svc.conflicts()]
        for eid in candidates:
            try:
                self.case = self._svc.open_conflict(eid, self.adjudicator)
                break
            except ServiceError as exc:
                self._set_message(str(exc), error=True)
        self._show_case()

    def _show_case(self) -> None:
        self.group.setExclusive(False)
        for r in (self.first_radio, self.second_radio, self.other_radio):
            r.setChecked(False)
        self.group.setExclusive(True)
        self.other_edit.clear()
        self.reason_edit.clear()
        enabled = self.case is not None
        for w in (self.first_radio, self.second_radio, self.other_radio, self.other_edit, self.reason_edit,
                  self.decide_button):
            w.setEnabled(enabled)
        if self.case is None:
            self.heading.setText(self.tr("判定待ちの行はありません"))
            self.view.clear()
            return
        case = self.case
        shown = " ".join(f"{k}: {v}" for k, v in case.shown)
        self.heading.setText(self.tr("{col}が一致しません。原本を確認して正しい値を選び、理由を入力してください。\n{shown}")
                             .format(col=case.column.label, shown=shown))
        self.view.setHtml(case_html(case, theme.id_font().family()))
        self.first_radio.setText(self.tr("1回目の値を採用(&1): ") + case.first_raw)
        self.second_radio.setText(self.tr("2回目の値を採用(&2): ") + case.second_raw)
        self.first_radio.setFocus()

    def _set_message(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")

    def chosen_value(self) -> str | None:
        if self.case is None:
            return None
        if self.first_radio.isChecked():
            return self.case.first_raw
        if self.second_radio.isChecked():
            return self.case.second_raw
        if self.other_radio.isChecked():
            return self.other_edit.text()
        return None

    def decide(self) -> None:
        if self.case is None:
            return
        value = self.chosen_value()
        if value is None:
            self._set_message(self.tr("採用する値を選んでください(1回目・2回目・正しい値を入力)"), error=True)
            return
        if not self.reason_edit.text().strip():
            self._set_message(self.tr("判定の理由を入力してください"), error=True)
            self.reason_edit.setFocus()
            return
        try:
            entry = self._svc.adjudicate(self.case.entry_id, self.adjudicator, self.case.column.key, value,
                                         self.reason_edit.text())
        except ServiceError as exc:
            self._set_message(str(exc), error=True)
            return
        self.changed = True
        self.entriesChanged.emit()
        if entry.status == Status.VERIFIED:
            done = self.tr("番号{n}を判定しました(確認済み)").format(n=entry.position)
        else:
            done = self.tr("番号{n}を判定しました。入力した値は別の職員が確認入力します").format(n=entry.position)
        self._open(None)
        self._set_message(done)

    @classmethod
    def run(cls, parent, ctx, entry_id: str | None = None) -> bool:
        return run_signed_in(cls, parent, ctx, entry_id, title=cls.tr_static("判定者のサインイン"),
                             message=cls.tr_static("判定は入力者・確認者以外の職員が行います。"
                                                   "判定者の職員番号と暗証番号を入力してください。"))

    @staticmethod
    def tr_static(text: str) -> str:
        return QCoreApplication.translate("AdjudicationDialog", text)
