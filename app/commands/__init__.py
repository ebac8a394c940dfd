"""CLI command groups. Each module exposes ``register(subparsers, add_globals)``."""
