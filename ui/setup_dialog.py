"""First-run setup: which unit this PC is — tier, prefecture (with its police HQ) and station.

Public API: ``SetupDialog.run(parent, ctx) -> UnitIdentity | None`` (modal); for tests,
``SetupDialog(ctx)`` with ``tier_buttons``, ``prefecture``, ``regional_hq``, ``station`` and ``ok_button``.
"""
from __future__ import annotations

import logging

from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QRadioButton, QVBoxLayout, QWidget)

from desktop_app import resources
from desktop_app.services.errors import ServiceError
from desktop_app.services.setup import TIER_LABELS, UnitIdentity, unit_name
from desktop_app.settings import TIERS
from ui.dialog_footer import add_error_and_buttons

log = logging.getLogger(__name__)


def prefecture_label(p: resources.Prefecture) -> str:
    """"27 大阪府(大阪府警察本部)": the JIS code people see on forms, the name, and who the police HQ is."""
    return f"{p.code} {p.name}({p.police})"


class SetupDialog(QDialog):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Teishi 初期設定"))
        self.setMinimumWidth(520)
        self._ctx = ctx
        self.identity: UnitIdentity | None = None
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("この端末を使う所属を設定します。設定は後から変更できません。"), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)

        form = QFormLayout()
        tiers = QWidget(self)
        row = QHBoxLayout(tiers)
        row.setContentsMargins(0, 0, 0, 0)
        self.tier_group = QButtonGroup(self)
        self.tier_buttons: dict[str, QRadioButton] = {}
        for i, tier in enumerate(TIERS):
            button = QRadioButton(TIER_LABELS[tier], tiers)
            button.setObjectName(f"tier_{tier}")
            self.tier_group.addButton(button, i)
            self.tier_buttons[tier] = button
            row.addWidget(button)
        self.tier_buttons["station"].setChecked(True)
        form.addRow(self.tr("区分"), tiers)

        self.prefecture = QComboBox(self)
        self.prefecture.setObjectName("prefecture")
        for p in resources.prefectures():
            self.prefecture.addItem(prefecture_label(p), p.code)
        # Labels start with the JIS code, so typing "27" in the closed list jumps to 大阪府.
        self.prefecture.setToolTip(self.tr("都道府県コード(01〜47)を打つと選べます"))
        form.addRow(self.tr("都道府県"), self.prefecture)

        self.regional_hq = QComboBox(self)
        self.regional_hq.setObjectName("regionalHq")
        form.addRow(self.tr("方面本部"), self.regional_hq)

        self.station = QLineEdit(self)
        self.station.setObjectName("station")
        self.station.setPlaceholderText(self.tr("例: 中央警察署"))
        form.addRow(self.tr("警察署名"), self.station)
        layout.addLayout(form)

        self.preview = QLabel("", self)
        self.preview.setObjectName("unitPreview")
        self.preview.setWordWrap(True)
        layout.addWidget(self.preview)
        self.error, buttons = add_error_and_buttons(self, layout, ok_text=self.tr("設定する"),
                                                    cancel_text=self.tr("キャンセル"), wrap=True)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)

        self.tier_group.idToggled.connect(lambda *_: self._refresh())
        self.prefecture.currentIndexChanged.connect(lambda *_: self._refresh_regional())
        self.regional_hq.currentIndexChanged.connect(lambda *_: self._refresh())
        self.station.textChanged.connect(lambda *_: self._refresh())
        self._refresh_regional()

    # ---- reading the form ------------------------------------------------------------------
    def tier(self) -> str:
        return next(t for t, b in self.tier_buttons.items() if b.isChecked())

    def prefecture_code(self) -> str:
        return self.prefecture.currentData()

    def regional_hq_name(self) -> str | None:
        return self.regional_hq.currentData() or None

    # ---- keeping it consistent -------------------------------------------------------------
    def _refresh_regional(self) -> None:
        pref = resources.prefecture(self.prefecture_code())
        self.regional_hq.blockSignals(True)
        self.regional_hq.clear()
        self.regional_hq.addItem(self.tr("(本部直轄・方面本部なし)"), None)
        for name in pref.regional_hqs:
            self.regional_hq.addItem(name, name)
        self.regional_hq.blockSignals(False)
        self._refresh()

    def _refresh(self) -> None:
        tier = self.tier()
        pref = resources.prefecture(self.prefecture_code())
        self.prefecture.setEnabled(tier != "npa")
        self.regional_hq.setEnabled(tier != "npa" and bool(pref.regional_hqs))
        self.station.setEnabled(tier == "station")
        station = self.station.text().strip() or self.tr("(警察署名)")
        name = unit_name(tier, None if tier == "npa" else pref, station, self.regional_hq_name())
        self.preview.setText(self.tr("所属名: {name}").format(name=name))

    def accept(self) -> None:
        tier = self.tier()
        try:
            self.identity = self._ctx.setup.initialise(
                tier, None if tier == "npa" else self.prefecture_code(),
                self.station.text() if tier == "station" else None,
                self.regional_hq_name() if tier != "npa" else None)
        except ServiceError as exc:
            self.error.setText(str(exc))
            return
        log.info("set up as %s", self.identity.unit_name)
        super().accept()

    @classmethod
    def run(cls, parent, ctx) -> UnitIdentity | None:
        dialog = cls(ctx, parent)
        return dialog.identity if dialog.exec() == QDialog.DialogCode.Accepted else None
