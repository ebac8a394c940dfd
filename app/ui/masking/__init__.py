"""Masking editor UI."""
