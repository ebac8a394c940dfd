import multiprocessing

# Export and verify-bundle use a "spawn" process pool: in the frozen app, the children start this same
# executable, and freeze_support() turns them into pool workers (and the resource tracker) instead of
# parsing their arguments as CLI commands.
multiprocessing.freeze_support()

from app.cli import main  # noqa: E402

raise SystemExit(main())
