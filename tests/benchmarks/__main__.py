"""`python -m tests.benchmarks NAME [--smoke]`: run one benchmark, figures as one JSON line last."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def available() -> list[str]:
    """The benchmark modules in this folder."""
    folder = str(Path(__file__).parent)
    return sorted(
        m.name for m in pkgutil.iter_modules([folder]) if not m.name.startswith(("_", "test_"))
    )


def main() -> int:
    """Dispatch to tests.benchmarks.NAME.main(argv)."""
    if len(sys.argv) < 2 or sys.argv[1] not in available():
        print(
            f"usage: python -m tests.benchmarks {{{','.join(available())}}} [--smoke]",
            file=sys.stderr,
        )
        return 2
    module = importlib.import_module(f"tests.benchmarks.{sys.argv[1]}")
    return int(module.main(sys.argv[2:]) or 0)


if __name__ == "__main__":
    sys.exit(main())
