"""Allow ``python -m trustsim``."""

from trustsim.cli import main

raise SystemExit(main())
