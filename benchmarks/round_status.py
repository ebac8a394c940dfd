"""The round at a glance (`chuding status`, the roster page's load): N imported persons judged by
the round with their checklists and the bundle plan, against the same-run baseline of judging them
only (`check_roster`: reading the persons + verdicts).

    .venv/bin/python benchmarks/round_status.py [--rows 5000]

Invented data only (the roster generator of benchmarks/roster_import.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=5000)
    args = ap.parse_args()
    os.environ["CHUDING_DATA_DIR"] = tempfile.mkdtemp(prefix="chuding-bench-")
    from roster_import import make_file

    from app.models.db import open_database
    from app.services.eligibility import check_roster
    from app.services.roster_exchange import import_roster
    from app.services.status import round_status

    tmp = Path(tempfile.mkdtemp(prefix="chuding-bench-"))
    make_file(tmp / "roster.xlsx", args.rows)
    db = open_database(tmp / "bench.sqlite3")
    import_roster(db, tmp / "roster.xlsx")
    t0 = time.perf_counter()
    check_roster(db)
    base = time.perf_counter() - t0
    t0 = time.perf_counter()
    st = round_status(db)
    full = time.perf_counter() - t0
    assert len(st.persons) == args.rows
    print(f"{args.rows} persons: check_roster {base:.2f} s (baseline), round_status {full:.2f} s, "
          f"ratio {full / base:.2f}x")
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
