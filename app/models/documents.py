"""Packet documents and their pages. Files live in the vault (app.documents.vault); rows here only
reference blobs by sha256, so deleting a document drops references and never touches a file.

A ``Document`` is one item of a person's packet slot (e.g. the 考核表 of 2024), or one of a round's own
unit documents (the stamped 推荐单位公示, 公示结果, 推荐报告): exactly one of ``person_id`` and
``round_id`` is set (check constraint ``one_owner``). Person queries filter on ``person_id`` and so
never see a round's documents; app.services.unit_documents reads and writes the round's. Its ``Page`` rows are
ordered by ``index``; each page points at a blob (an image, or a page ``source_page`` of a PDF) and
carries the page tools' non-destructive edits (``rotation``) and the masking state.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Timestamped, version_column

PAGE_KINDS = ("jpeg", "png", "pdf-page")
MASK_STATES = ("pending", "masked", "not_needed")
# a document belongs to a person (packet) or to a round (unit document), never both, never neither
ONE_OWNER = "(person_id IS NULL) <> (round_id IS NULL)"


class Document(Timestamped, Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    # a round's own unit document (no person): deleted with its round
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    slot: Mapped[str] = mapped_column(String(40), index=True)
    year: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | superseded
    original_name: Mapped[str] = mapped_column(String(260), default="")
    source_sha: Mapped[str | None] = mapped_column(String(64))  # the file as received (first file)
    source_kind: Mapped[str] = mapped_column(String(10), default="")  # pdf|jpeg|png|tiff|bmp|docx|mixed
    issue_date: Mapped[dt.date | None] = mapped_column(Date)  # e.g. 学信网 备案表 出具日期
    word_count: Mapped[int | None] = mapped_column(Integer)  # 工作小结: 汉字 + Latin words
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = version_column()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (CheckConstraint(ONE_OWNER, name="one_owner"),)

    pages: Mapped[list[Page]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Page.index"
    )


class Page(Base):
    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    index: Mapped[int] = mapped_column(Integer)  # 0-based position in the document
    blob_sha: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # jpeg | png | pdf-page
    source_page: Mapped[int] = mapped_column(Integer, default=0)  # page number inside a PDF blob
    width_px: Mapped[int] = mapped_column(Integer, default=0)  # upright size before ``rotation``
    height_px: Mapped[int] = mapped_column(Integer, default=0)
    dpi: Mapped[int | None] = mapped_column(Integer)
    rotation: Mapped[int] = mapped_column(Integer, default=0)  # clockwise degrees: 0/90/180/270
    mask_state: Mapped[str] = mapped_column(String(12), default="pending")
    masked_sha: Mapped[str | None] = mapped_column(String(64))
    # The file as received that this page came from (kept when pages move, are deskewed or merged).
    origin_sha: Mapped[str | None] = mapped_column(String(64))

    document: Mapped[Document] = relationship(back_populates="pages")
