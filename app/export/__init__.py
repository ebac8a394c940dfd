"""Exports: roster xlsx, letters (docx), 呈报表 PDF, submission bundle."""
