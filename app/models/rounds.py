"""The 申报批次 (application round): the spine every judgement hangs from.

A round is one application round of the unit under one policy profile: its as-of date and deadline,
the officer's options (anniversary mode, 以考代评 series override), the persons taking part with their
publicity period, and the status of the unit documents (公示, 公示结果, 推荐报告 …). A unit can hold
several rounds; exactly one is current (``is_current``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Timestamped, version_column

UNIT_DOC_STATUSES = ("auto", "provided", "not_applicable")


class Round(Timestamped, Base):
    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    profile_id: Mapped[str] = mapped_column(String(80))
    as_of: Mapped[dt.date | None] = mapped_column(Date)  # None → the deadline, else the profile's default
    deadline: Mapped[dt.date | None] = mapped_column(Date)  # None → the profile's window end
    options_json: Mapped[str] = mapped_column(Text, default="{}")  # anniversary_mode, exam_only_series
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = version_column()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    persons: Mapped[list[RoundPerson]] = relationship(back_populates="round", cascade="all, delete-orphan")
    documents: Mapped[list[RoundDocument]] = relationship(back_populates="round", cascade="all, delete-orphan")


class RoundPerson(Base):
    """A person's part in a round: taking part or not, and the publicity period of their group."""

    __tablename__ = "round_persons"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True)
    included: Mapped[bool] = mapped_column(Boolean, default=True)
    publicity_start: Mapped[dt.date | None] = mapped_column(Date)
    publicity_end: Mapped[dt.date | None] = mapped_column(Date)

    round: Mapped[Round] = relationship(back_populates="persons")


class RoundDocument(Base):
    """The officer's decision on one unit document of the round: ``auto`` (provided when a scan of
    the slot is in the packet of a person of the round), ``provided`` (handed in otherwise) or
    ``not_applicable`` (this round does not need it)."""

    __tablename__ = "round_documents"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    slot: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="auto")
    note: Mapped[str] = mapped_column(String(200), default="")
    document_id: Mapped[int | None] = mapped_column(Integer)  # informative: the scan that provides it

    round: Mapped[Round] = relationship(back_populates="documents")
