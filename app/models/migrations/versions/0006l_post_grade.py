"""post_grade: the person's 岗位等级 (现聘岗位等级, e.g. 专业技术十二级) for the Korla 公示 letter

Revision ID: 0006l_post_grade
Revises: 0006_rounds
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006l_post_grade"
down_revision = "0006_rounds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE ADD COLUMN: no table rebuild, so no foreign-key cascade can touch child rows
    op.add_column("persons", sa.Column("post_grade", sa.String(length=50), server_default="", nullable=False))


def downgrade() -> None:
    op.drop_column("persons", "post_grade")  # SQLite ≥ 3.35
