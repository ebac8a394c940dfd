"""Hostile-input corpus (issue #13): generated names, spreadsheets and files, and the tests that
run them through the real import, export, letters, form and docs-export paths."""
