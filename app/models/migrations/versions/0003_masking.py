"""masks_and_audit: boxes per stored page (review state) and the mask audit log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "page_masks",
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("boxes_json", sa.Text(), nullable=False),
        sa.Column("rejected_json", sa.Text(), nullable=False),
        sa.Column("reviewed", sa.Boolean(), nullable=False),
        sa.Column("rotation", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.ForeignKeyConstraint(["page_id"], ["pages.id"], name=op.f("fk_page_masks_page_id_pages"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("page_id", name=op.f("pk_page_masks")),
    )
    op.create_table(
        "mask_audits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("page_id", sa.Integer(), nullable=True),
        sa.Column("input_sha", sa.String(length=64), nullable=False),
        sa.Column("output_sha", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=260), nullable=False),
        sa.Column("boxes_json", sa.Text(), nullable=False),
        sa.Column("categories", sa.String(length=100), nullable=False),
        sa.Column("sources", sa.String(length=100), nullable=False),
        sa.Column("verify_ok", sa.Boolean(), nullable=False),
        sa.Column("checks_json", sa.Text(), nullable=False),
        sa.Column("app_version", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_mask_audits_person_id_persons"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"],
                                name=op.f("fk_mask_audits_document_id_documents"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["page_id"], ["pages.id"], name=op.f("fk_mask_audits_page_id_pages"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mask_audits")),
    )
    with op.batch_alter_table("mask_audits") as batch:
        batch.create_index(batch.f("ix_mask_audits_person_id"), ["person_id"], unique=False)
        batch.create_index(batch.f("ix_mask_audits_document_id"), ["document_id"], unique=False)
        batch.create_index(batch.f("ix_mask_audits_page_id"), ["page_id"], unique=False)
        batch.create_index(batch.f("ix_mask_audits_input_sha"), ["input_sha"], unique=False)
        batch.create_index(batch.f("ix_mask_audits_output_sha"), ["output_sha"], unique=False)


def downgrade() -> None:
    op.drop_table("mask_audits")
    op.drop_table("page_masks")
