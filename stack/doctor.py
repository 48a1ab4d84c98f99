"""``make doctor``: say in plain words what is wrong and how to fix it."""

from __future__ import annotations

import asyncio
import sys

from stack.health import all_checks


def main() -> None:
    checks = asyncio.run(all_checks())
    for check in checks:
        print(f"{'OK ' if check.ok else 'KO '} {check.name} : {check.detail}")
    sys.exit(0 if all(c.ok for c in checks) else 1)


if __name__ == "__main__":
    main()
