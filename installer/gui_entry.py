from app.__main__ import main

raise SystemExit(main())
