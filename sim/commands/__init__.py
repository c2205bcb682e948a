"""One module per CLI command: ``register(subparsers) -> parser`` and ``execute(args) -> int``."""
