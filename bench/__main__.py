"""`make bench`: runs every benchmark module in this folder and prints its figures.

Each `bench/bench_*.py` module has `run() -> list[Row]`; a row is a figure,
its goal and whether the goal was met. Benchmarks run on the PostgreSQL
server DATABASE_URL names, or on the one embedded under var/ when it is
unset (market40/database.py); some make scratch databases of their own there.
"""

import importlib
import os
import pkgutil
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "market40.settings")


def main() -> int:
    import django

    django.setup()
    from bench.common import print_rows

    only = sys.argv[1:]
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_"))
    rows = []
    for name in names:
        if only and name.removeprefix("bench_") not in only:
            continue
        print(f"== {name.removeprefix('bench_')}", flush=True)
        module_rows = importlib.import_module(f"bench.{name}").run()
        print_rows(module_rows)
        rows.extend(module_rows)
    print("\n== summary")
    print_rows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
