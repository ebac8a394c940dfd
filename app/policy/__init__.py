"""Policy: identifiers, dates, profiles, eligibility, titles and working days (all Qt-free)."""
