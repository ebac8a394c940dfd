"""One judgement everywhere: on the demo database, for every profile (a round each) and several as-of
dates, every surface — ``status``, ``check``, ``packet status``, ``export --dry-run`` (pre-flight and
default selection), the roster page's item model, the letters' list, the 呈报表 — gives the same
verdict, completeness and exportability for every person. A few real CLI runs close the loop."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from app.policy.profiles import profile_ids
from app.services import rounds
from app.services.eligibility import check_roster
from app.services.export import default_selection, preflight
from app.services.forms import build_form_data
from app.services.letters import eligible_persons
from app.services.packet import packet_status
from app.services.status import round_status
from app.ui.item_models import eligibility as elig
from app.ui.item_models.roster_model import PACKET_COLUMN, PERSON_ROLE, STATUS_ROLE, RosterTableModel
from tests.e2e.cli import run_cli

DATES: tuple[dt.date | None, ...] = (None, dt.date(2024, 6, 30), dt.date(2026, 12, 31))
# the officer's options of the round: the profile's own, then the Civil Code anniversary with an
# empty 以考代评 list (surfaces that ignored the options disagreed here)
OPTIONS = (rounds.RoundOptions(), rounds.RoundOptions("day_after", ()))


def _roster_model(db) -> dict[int, tuple[str, str]]:  # type: ignore[no-untyped-def]
    """person id → (status, 材料 text) as the roster page's model shows them."""
    persons, run = elig.check_round(db)
    model = RosterTableModel()
    model.set_persons(persons, run.verdicts, run.status)
    out = {}
    for r in range(model.rowCount()):
        p = model.index(r, 0).data(PERSON_ROLE)
        out[p.id] = (model.index(r, 0).data(STATUS_ROLE), model.index(r, PACKET_COLUMN).data())
    return out


def test_every_surface_agrees_for_every_profile_and_date(qapp, demo_db) -> None:  # type: ignore[no-untyped-def]
    seen_exportable = seen_blocked = 0
    for pid in profile_ids():
        name = f"一致性 {pid}"
        rounds.create_round(demo_db, name, pid, make_current=True)
        # the demo's stamped unit documents belong to its first round; this one has them on paper
        for u in round_status(demo_db).unit:
            rounds.set_unit_document(demo_db, u.slot, "provided", note="纸质件已报送")
        for day, options in [(d, o) for o in OPTIONS for d in DATES]:
            rounds.update_round(demo_db, as_of=day, options=options)
            where = (pid, day, options)
            st = round_status(demo_db)
            assert st.round_name == name and st.profile_id == pid
            by_id = {int(ps.person.id): ps for ps in st.persons}
            # check
            checked = {int(p.id): v for p, v in check_roster(demo_db)}  # type: ignore[arg-type]
            assert {k: v.status for k, v in checked.items()} == {k: ps.verdict.status for k, ps in by_id.items()}, where
            assert {k: v.earliest_date for k, v in checked.items()} == \
                {k: ps.verdict.earliest_date for k, ps in by_id.items()}, where
            # packet status
            rep = packet_status(demo_db, None)
            assert rep.as_of == st.as_of and rep.profile_id == pid
            assert {pk.person_id: (pk.done, pk.total, pk.complete, pk.missing) for pk in rep.persons} == \
                {k: (ps.packet.done, ps.packet.total, ps.packet.complete, ps.packet.missing)
                 for k, ps in by_id.items()}, where
            assert rep.unit_complete == st.unit_complete
            # export --dry-run: the pre-flight of everyone and the default selection
            pre = preflight(demo_db, person_ids=list(by_id), include_unit_files=False)
            assert pre.plan.as_of == st.as_of and pre.plan.profile_id == pid
            for pp in pre.plan.persons:
                ps = by_id[int(pp.person.id)]
                assert pp.verdict.status == ps.verdict.status, where
                assert (pp.verdict.eligible is True and pp.complete) == ps.exportable, (where, ps.person.name)
                if not ps.packet.complete:
                    assert not pp.complete, (where, ps.person.name)  # incomplete packet → never exportable
            exportable = sorted(k for k, ps in by_id.items() if ps.exportable)
            assert sorted(default_selection(demo_db)) == exportable, where
            # the roster page's item model
            shown = _roster_model(demo_db)
            assert {k: s for k, (s, _t) in shown.items()} == {k: ps.verdict.status for k, ps in by_id.items()}
            assert {k for k, (_s, t) in shown.items() if t.endswith("可导出")} == set(exportable), where
            # the letters' list
            assert {int(p.id): v.status for p, v in eligible_persons(demo_db)} == \
                {k: ps.verdict.status for k, ps in by_id.items()}, where
            seen_exportable += len(exportable)
            seen_blocked += len(by_id) - len(exportable)
    assert seen_exportable and seen_blocked  # both outcomes occur: the comparison is not vacuous
    # the 呈报表 draft (slower: a few persons of a round whose notice asks for the paper form)
    rounds.use_round(demo_db, "一致性 korla-2024")
    rounds.update_round(demo_db, as_of=None, options=OPTIONS[1])
    st = round_status(demo_db)
    with_form = [ps for ps in st.persons if (ps.verdict.route or "初定") in rounds.judge_round(demo_db).profile.form_titles]
    assert with_form
    for ps in with_form[:3]:
        data, _warnings = build_form_data(demo_db, int(ps.person.id))
        assert data.qualification.status == ps.verdict.status


def test_the_cli_surfaces_agree(demo_db, _isolated_user_dirs: Path) -> None:  # type: ignore[no-untyped-def]
    path = demo_db.sqlite_path
    demo_db.dispose()
    env = {"CHUDING_DATA_DIR": str(_isolated_user_dirs)}

    def js(*args: str) -> object:
        r = run_cli(*args, "--json", db=path, env=env)
        assert r.returncode in (0, 1), r.stderr
        return json.loads(r.stdout)

    r = run_cli("round", "create", "2024 库尔勒", "--profile", "korla-2024", "--use", db=path, env=env)
    assert r.returncode == 0, r.stderr
    for _round in ("2024 库尔勒", "当前批次"):
        status = js("status", "--round", _round)
        check = js("check", "--round", _round)
        packet = js("packet", "status", "--round", _round)
        dry = js("export", "-o", str(path.parent / "out"), "--dry-run", "--round", _round)
        rows = {p["id_number"]: p for p in status["persons"]}  # type: ignore[index]
        assert {c["id_number"]: c["status"] for c in check} == {k: p["verdict"]["status"] for k, p in rows.items()}  # type: ignore[union-attr,index]
        assert {p["id_number"]: (p["done"], p["total"], p["complete"]) for p in packet["persons"]} == \
            {k: (p["packet"]["done"], p["packet"]["total"], p["packet"]["complete"]) for k, p in rows.items()}  # type: ignore[index]
        assert packet["unit"]["complete"] == status["unit"]["complete"]  # type: ignore[index]
        names = {p["name"] for p in dry["persons"]}  # type: ignore[index]
        assert names == {p["name"] for p in rows.values() if p["exportable"]}
        assert all(p["complete"] for p in dry["persons"])  # type: ignore[index]
    assert any(p["exportable"] for p in rows.values())  # the demo's ready persons, current round
    ali = next(p for p in rows.values() if p["name"] == "艾力·示例")
    assert ali["packet"]["complete"] and ali["exportable"] and ali["masking"]["pages_pending"] == 0
    assert set(ali) == {"id_number", "name", "verdict", "packet", "masking", "letters", "exportable", "blockers"}
    assert set(ali["letters"]) == {"done", "total", "generated", "missing"}
    assert set(ali["verdict"]) == {"status", "route", "title", "earliest_date"}
    assert set(ali["packet"]) == {"done", "total", "complete", "missing"}
    # a person who does not take part in the round leaves every surface of that round
    r = run_cli("round", "persons", "--exclude", "马建国", "--json", db=path, env=env)
    assert r.returncode == 0 and "马建国" not in {p["name"] for p in json.loads(r.stdout)}, r.stderr
    assert "马建国" not in {p["name"] for p in js("status")["persons"]}  # type: ignore[index]
    assert "马建国" not in {c["name"] for c in js("check")}  # type: ignore[index, union-attr]
