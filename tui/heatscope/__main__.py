"""Allow ``python -m heatscope``."""

from heatscope.cli import main

raise SystemExit(main())
