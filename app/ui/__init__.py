"""The Qt face of the app — the ONLY package that imports PySide6."""
