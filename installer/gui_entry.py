import multiprocessing

# See cli_entry.py: the export wizard's process pool starts this executable again as its workers.
multiprocessing.freeze_support()

from app.__main__ import main  # noqa: E402

raise SystemExit(main())
