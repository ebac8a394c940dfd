"""Roster tables: unit, person and the person's education, assessments, continuing education,
discipline. Employment facts (contract, dispatch) are columns of the person."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Timestamped, version_column


class Unit(Timestamped, Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    uscc: Mapped[str] = mapped_column(String(18), default="")
    nature: Mapped[str] = mapped_column(String(20), default="")
    location: Mapped[str] = mapped_column(String(50), default="")
    level: Mapped[str] = mapped_column(String(20), default="")
    below_class4: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    short_name: Mapped[str] = mapped_column(String(100), default="")

    persons: Mapped[list[Person]] = relationship(back_populates="unit")


class Person(Timestamped, Base):
    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[str] = mapped_column(String(2), default="")
    ethnicity: Mapped[str] = mapped_column(String(20), default="")
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    political_status: Mapped[str] = mapped_column(String(20), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    work_start: Mapped[dt.date | None] = mapped_column(Date)
    series: Mapped[str] = mapped_column(String(50), default="")
    specialty: Mapped[str] = mapped_column(String(50), default="")
    position: Mapped[str] = mapped_column(String(100), default="")
    post_grade: Mapped[str] = mapped_column(String(50), default="", server_default="")
    current_title: Mapped[str] = mapped_column(String(50), default="")
    status: Mapped[str] = mapped_column(String(10), default="在职")
    contract: Mapped[bool | None] = mapped_column(Boolean)
    dispatched: Mapped[bool | None] = mapped_column(Boolean)
    dispatch_start: Mapped[dt.date | None] = mapped_column(Date)
    first_application: Mapped[bool | None] = mapped_column(Boolean)
    notes: Mapped[str] = mapped_column(Text, default="")
    # the officer's counting start for the years of service, with the reason (DOMAIN §1.1)
    count_start_override: Mapped[dt.date | None] = mapped_column(Date)
    count_start_reason: Mapped[str] = mapped_column(String(200), default="", server_default="")
    version: Mapped[int] = version_column()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    unit: Mapped[Unit | None] = relationship(back_populates="persons")
    educations: Mapped[list[EducationRecord]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="EducationRecord.id"
    )
    assessments: Mapped[list[Assessment]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="Assessment.year"
    )
    continuing_education: Mapped[list[ContinuingEducationRecord]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="ContinuingEducationRecord.year"
    )
    disciplines: Mapped[list[DisciplineRecord]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="DisciplineRecord.id"
    )


class EducationRecord(Base):
    __tablename__ = "education_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(String(20), default="")
    mode: Mapped[str] = mapped_column(String(10), default="")
    school: Mapped[str] = mapped_column(String(100), default="")
    major: Mapped[str] = mapped_column(String(100), default="")
    graduation_date: Mapped[dt.date | None] = mapped_column(Date)
    degree: Mapped[str] = mapped_column(String(10), default="")
    degree_date: Mapped[dt.date | None] = mapped_column(Date)
    postdoc_end: Mapped[dt.date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship(back_populates="educations")


class Assessment(Base):
    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("person_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    result: Mapped[str] = mapped_column(String(10))

    person: Mapped[Person] = relationship(back_populates="assessments")


class ContinuingEducationRecord(Base):
    __tablename__ = "continuing_education"
    __table_args__ = (UniqueConstraint("person_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    public_hours: Mapped[float | None] = mapped_column(Float)
    professional_hours: Mapped[float | None] = mapped_column(Float)
    exempt: Mapped[bool] = mapped_column(Boolean, default=False)

    person: Mapped[Person] = relationship(back_populates="continuing_education")


class DisciplineRecord(Base):
    __tablename__ = "disciplines"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    end_date: Mapped[dt.date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship(back_populates="disciplines")
