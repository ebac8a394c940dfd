"""mask_not_needed: the masking audit records the officer's explicit 无需遮盖 (who and when)

A page that needs masking is 已遮盖 only with at least one box burned in, or with the officer's
explicit 无需遮盖 decision; that decision is a ``mask_audits`` row with ``decision = 'not_needed'``,
the officer's name and the time. Existing 无需遮盖 pages have no such row: the export preflight asks
the officer to confirm them again (nothing is backfilled — an unrecorded decision is not a decision).

Revision ID: 0006m_mask_not_needed
Revises: 0006l_post_grade
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006m_mask_not_needed"
down_revision = "0006l_post_grade"  # rechained after 0006l (merged first into main)
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("mask_audits", sa.Column("decision", sa.String(length=20), server_default="masked",
                                           nullable=False))
    op.add_column("mask_audits", sa.Column("officer", sa.String(length=100), server_default="", nullable=False))


def downgrade() -> None:
    op.drop_column("mask_audits", "officer")  # SQLite ≥ 3.35
    op.drop_column("mask_audits", "decision")
