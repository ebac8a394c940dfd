"""Audit record per masked file: input/output hashes, boxes (page, category, source, score,
coordinates), time, app version and which checks passed — never the masked text."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from app import __version__
from app.masking.boxes import BoxSet


@dataclass
class AuditRecord:
    input_sha: str
    output_sha: str
    boxes: BoxSet
    verify_ok: bool
    checks: list[dict[str, Any]] = field(default_factory=list)  # [{name, ok}] — details left out
    file_name: str = ""
    page_count: int = 0
    created_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None))
    app_version: str = __version__

    @property
    def categories(self) -> list[str]:
        return sorted({b.category for p in self.boxes.pages for b in p.boxes})

    @property
    def sources(self) -> list[str]:
        return sorted({b.source for p in self.boxes.pages for b in p.boxes})

    def to_json(self) -> dict[str, Any]:
        return {
            "input_sha256": self.input_sha, "output_sha256": self.output_sha, "file_name": self.file_name,
            "pages": self.page_count, "boxes": self.boxes.to_json(), "categories": self.categories,
            "sources": self.sources, "verify_ok": self.verify_ok, "checks": self.checks,
            "created_at": self.created_at.isoformat(timespec="seconds"), "app_version": self.app_version,
        }


def record_for(result: Any, boxes: BoxSet, *, file_name: str = "") -> AuditRecord:
    """Build the record from a MaskResult (app.masking.burn)."""
    report = result.report
    checks = [{"name": c.name, "ok": c.ok} for c in report.checks] if report else []
    return AuditRecord(result.input_sha256, result.output_sha256, boxes, bool(report and report.ok), checks,
                       file_name, result.pages)


def checks_json(record: AuditRecord) -> str:
    return json.dumps(record.checks, ensure_ascii=False)
