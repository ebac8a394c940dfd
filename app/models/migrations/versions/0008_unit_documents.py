"""unit_documents: a round can hold its own unit documents (documents.round_id; person_id nullable;
exactly one of the two set), and the per-person letter state (letter_records)

Revision ID: 0008_unit_documents
Revises: 0007_concurrency
Create Date: 2026-12-03

On SQLite the documents table is rebuilt (a NOT NULL cannot be dropped in place). The Alembic
environment runs every migration with foreign keys off on SQLite and checks them afterwards
(app/models/migrations/env.py), so dropping the old table cascades nothing into pages, page masks or
mask audits; on PostgreSQL the same operations are plain ALTER TABLE statements.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_unit_documents"
down_revision = "0007_concurrency"
branch_labels = None
depends_on = None

ONE_OWNER = "(person_id IS NULL) <> (round_id IS NULL)"  # app.models.documents.ONE_OWNER at 0008


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.alter_column("person_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("round_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f("fk_documents_round_id_rounds"), "rounds", ["round_id"], ["id"],
                                 ondelete="CASCADE")
        batch.create_index(batch.f("ix_documents_round_id"), ["round_id"], unique=False)
        batch.create_check_constraint("one_owner", sa.text(ONE_OWNER))
    op.create_table(
        "letter_records",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("generated_at", sa.DateTime(), server_default=sa.func.current_timestamp(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name=op.f("fk_letter_records_round_id_rounds"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_letter_records_person_id_persons"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("round_id", "person_id", "kind", name=op.f("pk_letter_records")),
    )


def downgrade() -> None:
    op.drop_table("letter_records")
    op.execute("DELETE FROM documents WHERE person_id IS NULL")  # a round's own documents have no person
    with op.batch_alter_table("documents") as batch:
        batch.drop_constraint(batch.f("ck_documents_one_owner"), type_="check")
        batch.drop_index(batch.f("ix_documents_round_id"))
        batch.drop_constraint(batch.f("fk_documents_round_id_rounds"), type_="foreignkey")
        batch.drop_column("round_id")
        batch.alter_column("person_id", existing_type=sa.Integer(), nullable=False)
