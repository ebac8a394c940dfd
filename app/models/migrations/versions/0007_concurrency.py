"""concurrency: row versions (optimistic locking) and the shared blob store for server databases

Revision ID: 0007_concurrency
Revises: 0006m_mask_not_needed
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_concurrency"
down_revision = "0006m_mask_not_needed"
branch_labels = None
depends_on = None

# tables whose rows carry a version column (rounds too, when the rounds table exists)
VERSIONED = ("persons", "documents", "page_masks", "rounds")


def upgrade() -> None:
    # plain ALTER TABLE ADD COLUMN: no table rebuild, so no foreign-key cascade can touch child rows
    for table in VERSIONED:
        op.add_column(table, sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.create_table(
        "blobs",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.current_timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_blobs")),
    )
    op.create_table(
        "blob_chunks",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["digest"], ["blobs.digest"], name=op.f("fk_blob_chunks_digest_blobs"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("digest", "seq", name=op.f("pk_blob_chunks")),
    )
    op.create_table(
        "shared_cache",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_shared_cache")),
    )


def downgrade() -> None:
    op.drop_table("shared_cache")
    op.drop_table("blob_chunks")
    op.drop_table("blobs")
    for table in reversed(VERSIONED):
        op.drop_column(table, "version")  # SQLite ≥ 3.35
