"""Plain domain records (no Qt, no SQL) shared by the roster, the eligibility engine and the UI."""
