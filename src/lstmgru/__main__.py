"""``python -m lstmgru``."""

from lstmgru.cli import main

raise SystemExit(main())
