"""The roster table: a QAbstractTableModel over PersonData (+ verdicts) and a filter proxy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor

from app.domain.person import PersonData
from app.ui.item_models.eligibility import STATUS_COLOURS, packet_text, verdict_text

PERSON_ROLE = Qt.ItemDataRole.UserRole + 1
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2
SORT_ROLE = Qt.ItemDataRole.UserRole + 3

_Index = QModelIndex | QPersistentModelIndex


def _d(value: Any) -> str:
    return value.isoformat() if value else ""


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    get: Callable[[PersonData], str]


def _education(p: PersonData) -> str:
    e = p.highest_education
    if e is None:
        return ""
    return e.level + (f"（{e.mode}）" if e.mode and e.mode != "全日制" else "")


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", lambda p: p.name),
    Column("eligibility", "申报资格", lambda p: ""),
    Column("packet", "材料", lambda p: ""),
    Column("gender", "性别", lambda p: p.gender),
    Column("id_number", "身份证号", lambda p: p.id_number),
    Column("education", "最高学历", _education),
    Column("work_start", "参加工作", lambda p: _d(p.work_start)),
    Column("series", "系列", lambda p: p.series),
    Column("specialty", "申报专业", lambda p: p.specialty),
    Column("status", "人员状态", lambda p: p.status),
)
ELIGIBILITY_COLUMN = 1
PACKET_COLUMN = 2


def column_index(key: str) -> int:
    return next(i for i, c in enumerate(COLUMNS) if c.key == key)
_STATUS_ORDER = {"可申报": 0, "待满年限": 1, "信息不全": 2, "不符合": 3}


class RosterTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._persons: list[PersonData] = []
        self._verdicts: dict[int, Any] = {}
        self._status: dict[int, Any] = {}  # person id -> app.services.status.PersonStatus

    # --- data in -----------------------------------------------------------------------------
    def set_persons(self, persons: list[PersonData], verdicts: dict[int, Any] | None = None,
                    status: dict[int, Any] | None = None) -> None:
        self.beginResetModel()
        self._persons = list(persons)
        self._verdicts = dict(verdicts or {})
        self._status = dict(status or {})
        self.endResetModel()

    def set_verdicts(self, verdicts: dict[int, Any]) -> None:
        self._verdicts = dict(verdicts)
        if self._persons:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._persons) - 1, len(COLUMNS) - 1))

    # --- access -----------------------------------------------------------------------------
    def person(self, row: int) -> PersonData:
        return self._persons[row]

    def persons(self) -> list[PersonData]:
        return list(self._persons)

    def verdict(self, person_id: int | None) -> Any:
        return self._verdicts.get(person_id) if person_id is not None else None

    def verdicts(self) -> dict[int, Any]:
        return dict(self._verdicts)

    def packet_status(self, person_id: int | None) -> Any:
        """The person's status in the round (verdict, packet, pages to mask, exportable) or None."""
        return self._status.get(person_id) if person_id is not None else None

    def row_of(self, person_id: int) -> int:
        for i, p in enumerate(self._persons):
            if p.id == person_id:
                return i
        return -1

    def status_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for p in self._persons:
            v = self.verdict(p.id)
            if v is not None:
                counts[v.status] = counts.get(v.status, 0) + 1
        return counts

    # --- Qt model API --------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._persons)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Horizontal:
                return COLUMNS[section].title
            return str(section + 1)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        p = self._persons[index.row()]
        col = index.column()
        verdict = self.verdict(p.id)
        if role == PERSON_ROLE:
            return p
        if role == STATUS_ROLE:
            return verdict.status if verdict is not None else ""
        if col == ELIGIBILITY_COLUMN:
            if role == Qt.ItemDataRole.DisplayRole:
                return verdict_text(verdict)
            if role == SORT_ROLE:
                if verdict is None:
                    return "9"
                earliest = verdict.earliest_date.isoformat() if verdict.earliest_date else ""
                return f"{_STATUS_ORDER.get(verdict.status, 8)}{earliest}"
            if role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole) and verdict is not None:
                fg, bg = STATUS_COLOURS.get(verdict.status, ("#000000", "#ffffff"))
                return QBrush(QColor(fg if role == Qt.ItemDataRole.ForegroundRole else bg))
            if role == Qt.ItemDataRole.ToolTipRole and verdict is not None:
                return "\n".join(r.message for r in verdict.reasons) or None
            return None
        if col == PACKET_COLUMN:
            ps = self.packet_status(p.id)
            if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
                return packet_text(ps)
            if role == Qt.ItemDataRole.ToolTipRole and ps is not None and ps.blockers:
                return "\n".join(i.message for i in ps.blockers[:8])
            return None
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            return COLUMNS[col].get(p)
        if role == Qt.ItemDataRole.ToolTipRole and col == 0 and p.notes:
            return p.notes
        return None


class RosterFilterProxy(QSortFilterProxyModel):
    """Sort by any column; filter by a text (name or ID number) and an eligibility status."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._status = ""
        self.setSortRole(SORT_ROLE)
        self.setSortLocaleAware(True)

    def _refilter(self, change: Callable[[], None]) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.9
            self.beginFilterChange()
            change()
            self.endFilterChange()
        else:  # pragma: no cover - older Qt
            change()
            self.invalidateRowsFilter()

    def set_text(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "_text", text.strip().upper()))

    def set_status(self, status: str) -> None:
        """"" or "全部" → everyone; otherwise one of STATUSES."""
        self._refilter(lambda: setattr(self, "_status", "" if status == "全部" else status))

    @property
    def status(self) -> str:
        return self._status

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, RosterTableModel)
        p = model.person(source_row)
        if self._text and self._text not in p.name.upper() and self._text not in p.id_number.upper():
            return False
        if self._status:
            v = model.verdict(p.id)
            if v is None or v.status != self._status:
                return False
        return True
