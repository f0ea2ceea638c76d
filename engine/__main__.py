"""`python -m engine` is the `transplant` command."""

from engine.cli import main

raise SystemExit(main())
