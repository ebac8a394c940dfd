"""Roster exchange use cases: import a roster file, export the stored roster, write the template.

Import is per row: rows without errors are stored, rows with errors are listed (row, column,
Chinese reason), a person already stored (same 身份证号) is updated only with ``update=True`` and
otherwise reported as a duplicate. The file is read and validated completely before the database
is touched, so an unreadable file changes nothing. Rows are then stored in batches (bulk statements,
progress per batch) inside ONE transaction per file: the import is all-or-nothing. A crash, a cancel
(``progress`` may raise ``Cancelled``), a full disk or a locked database rolls the whole file back —
never some of its rows stored and the rest not (a full disk raises ``DiskFullError``: exit code 3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, Table, delete, insert, select, update
from sqlalchemy.orm import Session

from app.domain.person import Education, PersonData, UnitData
from app.errors import UsageError
from app.models import (
    Assessment,
    ContinuingEducationRecord,
    DisciplineRecord,
    EducationRecord,
    Person,
    Unit,
)
from app.models.db import Database
from app.policy.identifiers import normalize_id
from app.roster.columns import BY_HEADER
from app.roster.io import RosterReadResult, RowIssue, read_roster
from app.roster.validate import validate_person
from app.services.roster import _LOAD, PERSON_ATTRS, list_persons, person_to_data

if TYPE_CHECKING:
    from app.policy.eligibility import Verdict

BATCH_SIZE = 500

Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    rejected: list[RowIssue] = field(default_factory=list)
    duplicates: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    rejected_rows: int = 0  # number of distinct rows rejected (``rejected`` may hold several per row)
    path: str = ""

    @property
    def ok(self) -> bool:
        return not self.rejected and not self.duplicates

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "ok": self.ok,
            "total_rows": self.total_rows,
            "created": self.created,
            "updated": self.updated,
            "rejected_rows": self.rejected_rows,
            "rejected": [i.to_json() for i in self.rejected],
            "duplicates": [i.to_json() for i in self.duplicates],
            "warnings": [i.to_json() for i in self.warnings],
        }


# --------------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------------


MAX_RETRIES = 5  # re-reads of a row a colleague saved while this import was writing it


def merge_person(old: PersonData, new: PersonData, present: set[str]) -> PersonData:
    """``old`` with the fields of the columns present in the file taken from ``new``.

    A column missing from the file keeps the stored value (an update never wipes data the file
    does not carry). The file's education overlays the stored highest education.
    """
    merged = replace(old, unit=replace(old.unit), educations=[replace(e) for e in old.educations])
    new_edu = new.educations[0] if new.educations else Education()
    target_edu: Education | None = None
    for header in present:
        col = BY_HEADER.get(header)
        if col is None:
            continue
        path = col.field
        if path.startswith("edu."):
            if target_edu is None:
                target_edu = merged.highest_education
                if target_edu is None:
                    target_edu = Education()
                    merged.educations.append(target_edu)
            setattr(target_edu, path[4:], getattr(new_edu, path[4:]))
        elif path.startswith("unit."):
            setattr(merged.unit, path[5:], getattr(new.unit, path[5:]))
        elif path.startswith("discipline."):
            merged.disciplines = list(new.disciplines)
        else:
            setattr(merged, path, getattr(new, path))
    if target_edu is not None and all(getattr(target_edu, f) in ("", None) for f in (
            "level", "mode", "school", "major", "graduation_date", "degree", "degree_date", "postdoc_end")):
        merged.educations.remove(target_edu)
    return merged


class _UnitCache:
    """Units by name, loaded once; created or updated like services.roster.upsert_unit."""

    def __init__(self, s: Any) -> None:
        self.s = s
        self.by_name: dict[str, Unit] = {u.name: u for u in s.scalars(select(Unit))}

    def get(self, u: UnitData) -> Unit | None:
        name = u.name.strip()
        if not name:
            return None
        unit = self.by_name.get(name)
        if unit is None:
            unit = Unit(name=name, uscc="", nature="", location="", level="", short_name="")
            self.s.add(unit)
            self.s.flush()  # the id is needed by the bulk inserts
            self.by_name[name] = unit
        for attr in ("uscc", "nature", "location", "level"):
            value = getattr(u, attr)
            if value and getattr(unit, attr) != value:
                setattr(unit, attr, value)
        if u.below_class4 is not None and unit.below_class4 != u.below_class4:
            unit.below_class4 = u.below_class4
        return unit


def _person_row(d: PersonData) -> dict[str, Any]:
    """Column values of the persons table (same mapping as services.roster._apply)."""
    row = {attr: getattr(d, attr) for attr in PERSON_ATTRS}
    row["name"] = d.name.strip()
    row["id_number"] = normalize_id(d.id_number)
    return row


def _insert_children(s: Session, pairs: list[tuple[int, PersonData]]) -> None:
    edus, assessments, ces, discs = [], [], [], []
    for pid, d in pairs:
        edus += [dict(person_id=pid, level=e.level, mode=e.mode, school=e.school, major=e.major,
                      graduation_date=e.graduation_date, degree=e.degree, degree_date=e.degree_date,
                      postdoc_end=e.postdoc_end) for e in d.educations]
        assessments += [dict(person_id=pid, year=y, result=r) for y, r in sorted(d.assessments.items())]
        ces += [dict(person_id=pid, year=y, public_hours=c.public_hours, professional_hours=c.professional_hours,
                     exempt=c.exempt) for y, c in sorted(d.continuing_education.items())]
        discs += [dict(person_id=pid, kind=x.kind, end_date=x.end_date) for x in d.disciplines
                  if x.kind and x.kind != "无"]
    conn = s.connection()
    for model, rows in ((EducationRecord, edus), (Assessment, assessments), (ContinuingEducationRecord, ces),
                        (DisciplineRecord, discs)):
        if rows:  # Core executemany: one prepared statement per table
            conn.execute(insert(cast(Table, model.__table__)), rows)


def _insert_persons(s: Session, batch: list[PersonData], units: _UnitCache) -> None:
    """Bulk INSERT (executemany with RETURNING): no per-row ORM unit-of-work bookkeeping."""
    if not batch:
        return
    rows = []
    for d in batch:
        row = _person_row(d)
        unit = units.get(d.unit)
        row["unit_id"] = unit.id if unit is not None else None
        rows.append(row)
    table = cast(Table, Person.__table__)
    ids = s.connection().execute(insert(table).returning(table.c.id, sort_by_parameter_order=True),
                                 rows).scalars().all()
    _insert_children(s, list(zip(ids, batch, strict=True)))


def _update_persons(s: Session, batch: list[PersonData], units: _UnitCache) -> list[PersonData]:
    """UPDATE by primary key and row version, one statement per row, then replace the child rows of
    the rows updated. Returns the rows whose version had changed since they were read (a colleague
    saved them meanwhile): those were not written."""
    if not batch:
        return []
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    table = cast(Table, Person.__table__)
    stale: list[PersonData] = []
    done: list[PersonData] = []
    for d in batch:
        assert d.id is not None
        row = _person_row(d)
        row["updated_at"] = now
        if d.unit.name:
            unit = units.get(d.unit)
            row["unit_id"] = unit.id if unit is not None else None
        stmt = (update(table).where(table.c.id == d.id, table.c.version == d.version)
                .values(version=table.c.version + 1, **row))
        if cast(CursorResult[Any], s.execute(stmt)).rowcount == 1:
            done.append(d)
        else:
            stale.append(d)
    ids = [d.id for d in done]
    if ids:
        for model in (EducationRecord, Assessment, ContinuingEducationRecord, DisciplineRecord):
            s.execute(delete(model).where(model.person_id.in_(ids)))
        _insert_children(s, [(d.id, d) for d in done if d.id is not None])
    return stale


def import_roster(db: Database, path: str | Path, *, update: bool = False, progress: Progress | None = None,
                  today: dt.date | None = None) -> ImportReport:
    """Import a roster file (see module docstring). Raises InputFileError for unreadable files.

    ``progress(done, total)`` counts units of work: every data row once when it is parsed and
    validated, and once more when it is stored, so ``done`` reaches ``total`` at the end.
    """
    parsed = 0

    def read_progress(done: int, total: int) -> None:
        nonlocal parsed
        parsed = done
        if progress:
            progress(done, 2 * total)

    result: RosterReadResult = read_roster(path, today=today, progress=read_progress)

    def store_progress(done: int, total: int) -> None:
        if progress:
            progress(parsed + done, parsed + total)

    return import_rows(db, result, update=update, progress=store_progress, today=today)


def import_rows(db: Database, result: RosterReadResult, *, update: bool = False,
                progress: Progress | None = None, today: dt.date | None = None) -> ImportReport:
    report = ImportReport(total_rows=len(result.rows), path=str(result.path))
    report.warnings += [RowIssue(result.header_row, "", msg, "warning") for msg in result.header_issues]
    present = set(result.columns)
    with db.session() as s:
        existing: dict[str, tuple[int, str]] = {
            idn: (pid, name) for idn, pid, name in s.execute(select(Person.id_number, Person.id, Person.name))
        }
    first_row_of: dict[str, int] = {}
    to_create: list[tuple[int, PersonData]] = []
    to_update: list[tuple[int, PersonData]] = []
    for r in result.rows:
        if r.person is None or r.has_errors:
            report.rejected += [i for i in r.issues if i.severity == "error"]
            report.rejected_rows += 1
            continue
        idn = normalize_id(r.person.id_number)
        if idn in first_row_of:
            report.duplicates.append(RowIssue(r.row, "身份证号",
                                              f"与第 {first_row_of[idn]} 行的身份证号相同，已跳过本行", "warning"))
            continue
        first_row_of[idn] = r.row
        if idn in existing:
            if not update:
                _pid, name = existing[idn]
                report.duplicates.append(RowIssue(
                    r.row, "身份证号",
                    f"身份证号 {idn} 已存在（{name}），未更新。如需用文件内容更新，请勾选“更新已有人员”后重新导入",
                    "warning"))
                continue
            to_update.append((r.row, r.person))
        else:
            to_create.append((r.row, r.person))
        report.warnings += [i for i in r.issues if i.severity != "error"]
    total = len(to_create) + len(to_update)
    if progress:
        progress(0, total)
    done = 0
    with db.session() as s:
        units = _UnitCache(s)
        for start in range(0, len(to_create), BATCH_SIZE):
            people = [d for _row, d in to_create[start:start + BATCH_SIZE]]
            _insert_persons(s, people, units)
            s.flush()
            report.created += len(people)
            done += len(people)
            if progress:
                progress(done, total)
        for start in range(0, len(to_update), BATCH_SIZE):
            pending = to_update[start:start + BATCH_SIZE]
            for attempt in range(MAX_RETRIES + 1):
                # Each row is merged into the stored person as read now and written only if nobody
                # saved that person in between (row version); otherwise it is read and merged again.
                ids = [normalize_id(d.id_number) for _r, d in pending]
                loaded = list(s.scalars(select(Person).options(*_LOAD).where(Person.id_number.in_(ids))))
                stored = {p.id_number: person_to_data(p) for p in loaded}
                for p in loaded:  # from here on the batch is written with plain statements
                    s.expunge(p)
                fresh: list[PersonData] = []
                plan: list[PersonData] = []
                row_of: dict[int, tuple[int, PersonData]] = {}
                for row, d in pending:
                    old = stored.get(normalize_id(d.id_number))
                    if old is None:  # deleted meanwhile: store as new
                        fresh.append(d)
                        continue
                    merged = merge_person(old, d, present)
                    errors = [i for i in validate_person(merged, today=today) if i.is_error]
                    if errors:
                        report.rejected += [RowIssue(row, i.field, f"与已存储的信息合并后：{i.message}")
                                            for i in errors]
                        report.rejected_rows += 1
                        continue
                    plan.append(merged)
                    row_of[id(merged)] = (row, d)
                stale = _update_persons(s, plan, units)
                _insert_persons(s, fresh, units)
                s.flush()
                report.updated += len(plan) - len(stale) + len(fresh)
                pending = [row_of[id(m)] for m in stale]
                if not pending:
                    break
                if attempt == MAX_RETRIES:
                    for row, d in pending:
                        report.rejected.append(RowIssue(
                            row, "姓名", f"“{d.name}”正被同事同时修改，本行未导入；请稍后重新导入本行"))
                        report.rejected_rows += 1
            done += min(BATCH_SIZE, len(to_update) - start)
            if progress:
                progress(done, total)
    report.rejected.sort(key=lambda i: i.row)
    report.duplicates.sort(key=lambda i: i.row)
    return report


# --------------------------------------------------------------------------------------------------
# Export and template
# --------------------------------------------------------------------------------------------------


def export_roster(db: Database, path: str | Path, *, verdicts: Mapping[int, Verdict] | None = None) -> int:
    """Write every stored person to ``path`` (.xlsx or .csv by suffix); returns the number of rows."""
    from app.export.roster_xlsx import write_roster_csv, write_roster_xlsx

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise UsageError(f"导出文件须为 .xlsx 或 .csv，而不是“{path.name}”")
    persons = list_persons(db)
    if suffix == ".xlsx":
        return write_roster_xlsx(path, persons, verdicts)
    return write_roster_csv(path, persons, verdicts)


def write_template(path: str | Path) -> None:
    """The blank roster template: .xlsx (dropdowns, formats, instructions) or a header-only .csv."""
    from app.export.roster_xlsx import write_roster_csv
    from app.export.roster_xlsx import write_template as _write

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        _write(path)
    elif suffix == ".csv":
        write_roster_csv(path, [])
    else:
        raise UsageError(f"模板文件须为 .xlsx 或 .csv，而不是“{path.name}”")
