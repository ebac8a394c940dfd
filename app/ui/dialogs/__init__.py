"""Dialogs: person editor, unit settings, import/export, settings, about."""
