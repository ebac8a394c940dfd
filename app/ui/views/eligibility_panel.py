"""Detail panel for one person: verdict, reasons with citations (假设 tagged), missing data
(click → editor on that field), earliest date and the other routes considered."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.person import PersonData
from app.ui.item_models.eligibility import STATUS_COLOURS

ASSUMPTION_TAG = "假设"


# How each reason shows whether its condition holds: met (✓), fails (✗), not yet (⏳: only time is
# missing), unknown (？: data missing or a manual decision), a warning (⚠), or a plain note (·).
REASON_MARKS = {
    "info": ("✓", "#2e7d32"), "bar": ("✗", "#c62828"), "wait": ("⏳", "#e65100"),
    "missing": ("？", "#1565c0"), "manual": ("？", "#1565c0"), "warning": ("⚠", "#e65100"),
}


def reason_html(reason: Any) -> str:
    mark, colour = REASON_MARKS.get(getattr(reason, "severity", "info"), ("·", "#555"))
    text = f'<span style="color:{colour};font-weight:bold">{mark}</span> ' + html.escape(reason.message)
    if reason.source:
        text += f' <span style="color:#555">〔{html.escape(reason.source)}〕</span>'
    if getattr(reason, "assumption", False):
        text += (f' <span style="background:#fff2d6;color:#8a5300;border:1px solid #e0b050">'
                 f'&nbsp;{ASSUMPTION_TAG}&nbsp;</span>')
    return text


class EligibilityPanel(QWidget):
    edit_requested = Signal(int, str)  # person id, field ("" = no particular field)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.person: PersonData | None = None
        self.verdict: Any = None
        self.header = QLabel()
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.earliest = QLabel()
        self.earliest.setWordWrap(True)
        self.reasons = QLabel()
        self.reasons.setWordWrap(True)
        self.reasons.setTextFormat(Qt.TextFormat.RichText)
        self.reasons.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.missing_title = QLabel("<b>缺少的信息</b>（点击补填）")
        self.missing = QListWidget()
        self.missing.itemClicked.connect(self._missing_clicked)
        self.missing.itemActivated.connect(self._missing_clicked)
        self.advice = QLabel()
        self.advice.setWordWrap(True)
        self.advice.setTextFormat(Qt.TextFormat.RichText)
        self.alternatives = QLabel()
        self.alternatives.setWordWrap(True)
        self.alternatives.setTextFormat(Qt.TextFormat.RichText)
        self.edit_button = QPushButton("编辑人员信息…")
        self.edit_button.clicked.connect(self._edit_clicked)

        inner = QWidget()
        v = QVBoxLayout(inner)
        v.addWidget(self.header)
        v.addWidget(self.earliest)
        v.addWidget(QLabel("<b>依据</b>"))
        v.addWidget(self.reasons)
        v.addWidget(self.advice)
        v.addWidget(self.missing_title)
        v.addWidget(self.missing)
        v.addWidget(self.alternatives)
        v.addStretch(1)
        v.addWidget(self.edit_button)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.show_person(None, None)

    def show_person(self, person: PersonData | None, verdict: Any, *, note: str = "") -> None:
        self.person, self.verdict = person, verdict
        self.missing.clear()
        self.edit_button.setEnabled(person is not None)
        if person is None:
            self.header.setText('<span style="color:#666">在左侧名册中选择一人，查看申报资格详情。</span>')
            for w in (self.earliest, self.reasons, self.advice, self.alternatives):
                w.clear()
            self.missing_title.setVisible(False)
            self.missing.setVisible(False)
            return
        name = html.escape(person.name)
        if verdict is None:
            self.header.setText(f"<h3>{name}</h3><p>{html.escape(note or '尚未审核')}</p>")
            for w in (self.earliest, self.reasons, self.advice, self.alternatives):
                w.clear()
            self.missing_title.setVisible(False)
            self.missing.setVisible(False)
            return
        fg, bg = STATUS_COLOURS.get(verdict.status, ("#000", "#fff"))
        # 不符合: no route or title to show — the person gets none under this notice
        shown = () if verdict.status == "不符合" else (verdict.route, verdict.level, verdict.title)
        what = " · ".join(html.escape(x) for x in shown if x)
        self.header.setText(
            f'<h3>{name}</h3><p><span style="color:{fg};background:{bg};font-weight:bold">'
            f"&nbsp;{html.escape(verdict.status)}&nbsp;</span> {what}</p>")
        if verdict.earliest_date:
            self.earliest.setText(f"最早可申报日期：<b>{verdict.earliest_date.isoformat()}</b>")
        elif verdict.status == "可申报":
            self.earliest.setText("审核日已满足条件。")
        else:
            self.earliest.setText("")
        items = "".join(f"<li>{reason_html(r)}</li>" for r in verdict.reasons)
        self.reasons.setText(f"<ul style='margin-left:-20px;list-style:none'>{items}</ul>" if items else "（无）")
        from app.policy.eligibility import advice

        tips = advice(verdict)
        self.advice.setText("<b>建议</b><br>" + "<br>".join(html.escape(t) for t in tips) if tips else "")
        self.advice.setVisible(bool(tips))
        self.missing_title.setVisible(bool(verdict.missing))
        self.missing.setVisible(bool(verdict.missing))
        self.missing.setFixedHeight(min(len(verdict.missing), 5) * 26 + 8)
        for field in verdict.missing:
            item = QListWidgetItem(f"✎ {field}")
            item.setData(Qt.ItemDataRole.UserRole, field)
            item.setToolTip("点击打开编辑窗口并定位到此项")
            self.missing.addItem(item)
        alts = list(verdict.alternatives or [])
        if alts:
            lines = "".join(
                f"<li>{html.escape(a.status)} {html.escape(' · '.join(x for x in (a.route, a.level, a.title) if x))}"
                f"{'：' + html.escape(a.reasons[0].message) if a.reasons else ''}</li>" for a in alts)
            self.alternatives.setText(f"<b>其他途径</b><ul style='margin-left:-20px'>{lines}</ul>")
        else:
            self.alternatives.clear()

    def _missing_clicked(self, item: QListWidgetItem) -> None:
        if self.person is not None and self.person.id is not None:
            self.edit_requested.emit(self.person.id, str(item.data(Qt.ItemDataRole.UserRole)))

    def _edit_clicked(self) -> None:
        if self.person is not None and self.person.id is not None:
            self.edit_requested.emit(self.person.id, "")
