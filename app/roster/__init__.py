"""Roster: the person-level validation rules and the roster file contract (xlsx/csv)."""
