"""The CDKTF app: `python main.py` synthesizes every tenant under tenants/ (see README)."""

from __future__ import annotations

import sys


def main() -> int:
    raise SystemExit("not implemented yet: see issue 'CDKTF constructs and app'")


if __name__ == "__main__":
    sys.exit(main())
