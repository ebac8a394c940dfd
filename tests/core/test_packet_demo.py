"""The demo's generated sample scans land in the right slots and drive the checklist."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image

from app.documents import demo_scans as ds
from app.services import documents as docsvc
from app.services.packet import (
    EXPIRED,
    MASKED,
    MISSING,
    NONCONFORMING,
    TO_MASK,
    UPLOADED,
    list_documents,
    packet_status,
)
from app.services.roster import list_persons


def test_demo_persons_have_scans_in_the_right_slots(demo_db) -> None:  # type: ignore[no-untyped-def]
    persons = list_persons(demo_db)
    docs = list_documents(demo_db)
    by_person: dict[int, set[str]] = {}
    for d in docs:
        by_person.setdefault(d.person_id, set()).add(d.slot)
    assert all({"id_card", "diploma"} <= by_person[p.id] for p in persons)  # type: ignore[index]
    id_cards = [d for d in docs if d.slot == "id_card"]
    assert all(len(d.pages) == 2 and d.pages[0].kind == "jpeg" for d in id_cards)
    # The first two eligible persons are made ready to export (app.services.demo_ready): every
    # personal material present, masked where required, the certificate photo never masked.
    for ready in persons[:2]:
        rep = packet_status(demo_db, ready.id, "urumqi-private-2025").persons[0]
        personal = [s for s in rep.slots if s.slot not in ("gongshi", "gongshi_result", "recommendation")]
        assert all(s.status in (MASKED, UPLOADED) for s in personal), [(s.slot, s.status) for s in personal]
        assert next(s for s in rep.slots if s.slot == "photo").status == UPLOADED
    rep = packet_status(demo_db, persons[3].id, "urumqi-private-2025")
    slots = {(s.slot, s.year): s for s in rep.persons[0].slots}
    assert slots[("id_card", None)].status == TO_MASK
    assert slots[("photo", None)].status == UPLOADED
    assert slots[("chsi_record", None)].status == TO_MASK
    assert slots[("work_summary", None)].status == MISSING
    assert slots[("assessment", 2024)].status == TO_MASK
    rep0 = packet_status(demo_db, persons[0].id, "urumqi-private-2025").persons[0]
    summary = next(s for s in rep0.slots if s.slot == "work_summary")
    assert summary.status == MASKED and "字数约" in summary.reason
    # The third person's 备案表 is stale under Korla's 90-day rule; their summary is too short.
    second = rep_k = packet_status(demo_db, persons[2].id, "korla-2024").persons[0]
    assert next(s for s in rep_k.slots if s.slot == "chsi_record").status == EXPIRED
    assert next(s for s in second.slots if s.slot == "work_summary").status == NONCONFORMING
    # 阿依古丽: 2024 考核 基本合格 → that year's form does not meet the requirement.
    ayi = next(p for p in persons if p.assessments.get(2024) == "基本合格")
    pk = packet_status(demo_db, ayi.id, "urumqi-private-2025").persons[0]
    assert any(s.slot == "assessment" and s.year == 2024 and s.status == NONCONFORMING for s in pk.slots)
    # The skewed contract page of the third person gets a deskew proposal.
    contract = next(d for d in docs if d.person_id == persons[2].id and d.slot == "contract")
    assert abs(docsvc.propose_page_deskew(demo_db, contract.pages[1].id).angle + 1.5) <= 0.4


def test_drawn_scans_show_name_seal_and_face() -> None:
    from app.services.demo import demo_people

    p = demo_people()[0]
    p.id = 1
    front = Image.open(io.BytesIO(ds.id_card_front(p, 1))).convert("RGB")
    assert front.size == (1012, 638)
    # the face placeholder sits on the right with dark eyes on a light face
    eye = front.getpixel((690 + round(260 * 0.39), 110 + round(320 * 0.38)))
    assert max(eye) < 60
    back = Image.open(io.BytesIO(ds.assessment_form(p, 2024, "合格", 3)[1])).convert("RGB")
    small = back.resize((200, 283))
    red = sum(1 for x in range(200) for y in range(283) if (px := small.getpixel((x, y)))[0] > 150 and px[1] < 110 and px[2] < 110)
    assert red > 100  # a red seal is stamped
    import pymupdf

    with pymupdf.open(stream=ds.chsi_record_pdf(p, p.highest_education, dt.date(2025, 2, 26), 4), filetype="pdf") as d:
        text = d[0].get_text()
    assert p.name in text and "更新日期：2025年02月26日" in text and p.id_number in text
