"""SQLAlchemy 2 ORM models and database access. Import models from here."""

from app.models.base import Base
from app.models.blobs import Blob, BlobChunk, SharedCache
from app.models.documents import Document, Page
from app.models.letters import LetterInput, LetterRecord, UnitLetterSettings
from app.models.masking import MaskAudit, PageMask
from app.models.roster import (
    Assessment,
    ContinuingEducationRecord,
    DisciplineRecord,
    EducationRecord,
    Person,
    Unit,
)
from app.models.rounds import Round, RoundDocument, RoundPerson

__all__ = [
    "Assessment",
    "Base",
    "Blob",
    "BlobChunk",
    "ContinuingEducationRecord",
    "DisciplineRecord",
    "Document",
    "EducationRecord",
    "LetterInput",
    "LetterRecord",
    "MaskAudit",
    "Page",
    "PageMask",
    "Person",
    "Round",
    "RoundDocument",
    "RoundPerson",
    "SharedCache",
    "Unit",
    "UnitLetterSettings",
]
