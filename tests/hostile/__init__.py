"""Hostile-input corpus (issue #13): generated at test time, nothing stored."""
