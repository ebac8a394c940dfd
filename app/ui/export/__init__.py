"""Export wizard: profile and target, persons, pre-flight report, export with progress."""

from app.ui.export.wizard import ExportWizard

__all__ = ["ExportWizard"]
