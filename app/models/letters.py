"""What the officer enters for the unit letters and the 呈报表 draft: per person the 思想政治条件 and
业绩成果 paragraphs of the 公示 and the 工作总结 excerpt printed on the 呈报表 (the publicity period
belongs to the round: app.models.rounds); per unit the office and telephone that receive objections."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Timestamped


class LetterInput(Timestamped, Base):
    __tablename__ = "letter_inputs"

    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True)
    political: Mapped[str] = mapped_column(Text, default="")  # 思想政治条件
    achievements: Mapped[str] = mapped_column(Text, default="")  # 业绩成果 / 专业技术成果
    summary: Mapped[str] = mapped_column(Text, default="")  # 工作总结（自我鉴定）摘要 for the 呈报表


class UnitLetterSettings(Timestamped, Base):
    __tablename__ = "unit_letter_settings"

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    office: Mapped[str] = mapped_column(String(100), default="")  # 受理异议的办公室
    phone: Mapped[str] = mapped_column(String(40), default="")  # 监督电话


class LetterRecord(Base):
    """A letter (docx) or the 呈报表 draft generated for a person in a round: the per-person letter
    state of the 文书 column, the packet's "已生成，待打印签字后扫描上传" and ``chuding status``. Recorded
    by the generating services (the app wrote the file; where the officer keeps it is theirs)."""

    __tablename__ = "letter_records"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)  # app.policy.profiles.DOCUMENT_KINDS
    generated_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.current_timestamp())
