"""count_start_override: the officer's counting start for a person, with the reason (DOMAIN §1.1)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE ADD COLUMN: no table rebuild, so no foreign-key cascade can touch child rows
    op.add_column("persons", sa.Column("count_start_override", sa.Date(), nullable=True))
    op.add_column("persons", sa.Column("count_start_reason", sa.String(length=200), server_default="",
                                       nullable=False))


def downgrade() -> None:
    op.drop_column("persons", "count_start_reason")  # SQLite ≥ 3.35
    op.drop_column("persons", "count_start_override")
