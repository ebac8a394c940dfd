"""Masking tables: the boxes drawn on each stored page (with the officer's review state) and one
audit record per masked output. Neither ever stores the text under a box."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, version_column


class PageMask(Base):
    __tablename__ = "page_masks"

    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), primary_key=True)
    boxes_json: Mapped[str] = mapped_column(Text, default="[]")  # list of Box JSON objects (no text)
    rejected_json: Mapped[str] = mapped_column(Text, default="[]")  # suggestions the officer rejected
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False)
    rotation: Mapped[int] = mapped_column(Integer, default=0)  # the page's rotation the boxes refer to
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, server_default=func.current_timestamp(), onupdate=func.current_timestamp()
    )
    version: Mapped[int] = version_column()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class MaskAudit(Base):
    __tablename__ = "mask_audits"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"), index=True)
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id", ondelete="SET NULL"), index=True)
    input_sha: Mapped[str] = mapped_column(String(64), index=True)
    output_sha: Mapped[str] = mapped_column(String(64), index=True)
    file_name: Mapped[str] = mapped_column(String(260), default="")  # output file name (CLI use) or ""
    boxes_json: Mapped[str] = mapped_column(Text, default="{}")  # Box JSON: page, category, source, coords
    categories: Mapped[str] = mapped_column(String(100), default="")  # e.g. "name,seal"
    sources: Mapped[str] = mapped_column(String(100), default="")  # e.g. "manual,ocr"
    verify_ok: Mapped[bool] = mapped_column(Boolean, default=False)
    checks_json: Mapped[str] = mapped_column(Text, default="[]")  # [{name, ok}] — no details
    app_version: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.current_timestamp())
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    # "masked" (an output was burned in and verified) or "not_needed" (the officer's explicit 无需遮盖)
    decision: Mapped[str] = mapped_column(String(20), default="masked", server_default="masked")
    officer: Mapped[str] = mapped_column(String(100), default="", server_default="")  # who decided
