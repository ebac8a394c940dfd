"""rounds: the 申报批次 (profile, as-of date, deadline, options, persons and their publicity period,
unit documents); today's settings and the per-person publicity start move into a first round

Revision ID: 0006_rounds
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0006_rounds"
down_revision = "0005"
branch_labels = None
depends_on = None

FIRST_ROUND = "当前批次"


def _settings() -> dict[str, object]:
    """The officer's profile, as-of date and options from settings.json (defaults when absent)."""
    try:
        from app.settings import load_settings

        s = load_settings()
    except Exception:
        return {"profile_id": "urumqi-private-2025", "as_of": None, "options": {}}
    options: dict[str, object] = {}
    if s.anniversary_mode in ("same_day", "day_after"):
        options["anniversary_mode"] = s.anniversary_mode
    if isinstance(s.exam_only_series, list):
        options["exam_only_series"] = [str(x) for x in s.exam_only_series]
    return {"profile_id": s.profile_id or "urumqi-private-2025", "as_of": s.as_of, "options": options}


def upgrade() -> None:
    op.create_table(
        "rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("profile_id", sa.String(length=80), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("options_json", sa.Text(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_rounds_unit_id_units"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rounds")),
        sa.UniqueConstraint("name", name=op.f("uq_rounds_name")),
    )
    op.create_table(
        "round_persons",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("included", sa.Boolean(), nullable=False),
        sa.Column("publicity_start", sa.Date(), nullable=True),
        sa.Column("publicity_end", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_round_persons_person_id_persons"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name=op.f("fk_round_persons_round_id_rounds"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("round_id", "person_id", name=op.f("pk_round_persons")),
    )
    op.create_table(
        "round_documents",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name=op.f("fk_round_documents_round_id_rounds"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("round_id", "slot", name=op.f("pk_round_documents")),
    )

    # Today's state becomes the first, current round: the settings' profile, as-of date and options,
    # and each person's stored publicity start.
    conn = op.get_bind()
    s = _settings()
    unit_id = conn.execute(sa.text("SELECT id FROM units ORDER BY id LIMIT 1")).scalar()
    conn.execute(sa.text(
        "INSERT INTO rounds (name, unit_id, profile_id, as_of, deadline, options_json, is_current) "
        "VALUES (:name, :unit, :profile, :as_of, NULL, :options, :yes)"),  # a bound bool: PostgreSQL has no 1 for true
        {"name": FIRST_ROUND, "unit": unit_id, "profile": s["profile_id"], "as_of": s["as_of"],
         "options": json.dumps(s["options"], ensure_ascii=False), "yes": True})
    round_id = conn.execute(sa.text("SELECT id FROM rounds WHERE name = :n"), {"n": FIRST_ROUND}).scalar()
    conn.execute(sa.text(
        "INSERT INTO round_persons (round_id, person_id, included, publicity_start, publicity_end) "
        "SELECT :r, p.id, :yes, li.publicity_start, NULL FROM persons p "
        "LEFT JOIN letter_inputs li ON li.person_id = p.id"), {"r": round_id, "yes": True})
    # plain ALTER TABLE DROP COLUMN (SQLite ≥ 3.35): no table rebuild, no cascade on child rows
    op.drop_column("letter_inputs", "publicity_start")


def downgrade() -> None:
    op.add_column("letter_inputs", sa.Column("publicity_start", sa.Date(), nullable=True))
    conn = op.get_bind()
    conn.execute(sa.text(
        "UPDATE letter_inputs SET publicity_start = (SELECT rp.publicity_start FROM round_persons rp "
        "JOIN rounds r ON r.id = rp.round_id WHERE r.is_current = :yes AND rp.person_id = letter_inputs.person_id)"),
        {"yes": True})
    op.drop_table("round_documents")
    op.drop_table("round_persons")
    op.drop_table("rounds")
