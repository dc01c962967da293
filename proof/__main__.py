"""`make proof`: the reliability and security evidence, one scenario per module.

Each `proof/proof_*.py` module has `run(seed: int) -> list[Row]`; a row is a
figure, what it must be, and whether it is. The run prints every scenario's
rows, then a summary table, writes that table as Markdown to
`var/proof-summary.md` (docs/proof.md copies it) and exits non-zero when any
verdict fails. `python -m proof NAME ...` runs only the named scenarios;
PROOF_SEED fixes the seed (printed either way) so a failure can be replayed.
"""

import importlib
import os
import pkgutil
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "market40.settings")

ROOT = Path(__file__).resolve().parent.parent


def _markdown(rows) -> str:
    lines = ["| scenario | figure | value | must be | verdict |", "|---|---|---|---|---|"]
    for r in rows:
        verdict = "" if r.met is None else ("ok" if r.met else "FAILED")
        lines.append(f"| {r.benchmark} | {r.figure} | {r.value} | {r.goal} | {verdict} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    import django

    django.setup()
    from bench.common import Row, print_rows

    seed = int(os.environ.get("PROOF_SEED") or random.SystemRandom().randrange(1, 1_000_000))
    print(f"proof seed {seed} (replay with PROOF_SEED={seed})", flush=True)
    only = sys.argv[1:]
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("proof_"))
    rows: list[Row] = []
    for name in names:
        scenario = name.removeprefix("proof_")
        if only and scenario not in only:
            continue
        print(f"== {scenario} (seed {seed})", flush=True)
        started = time.monotonic()
        try:
            module_rows = importlib.import_module(f"proof.{name}").run(seed)
        except Exception as exc:  # a scenario that crashes is a failed verdict, not a lost summary
            module_rows = [Row(scenario, "scenario ran to the end", f"{type(exc).__name__}: {exc}", "no error", False)]
        print_rows(module_rows)
        print(f"   ({time.monotonic() - started:.0f} s)", flush=True)
        rows.extend(module_rows)
    print(f"\n== summary (seed {seed})")
    print_rows(rows)
    out = ROOT / "var" / "proof-summary.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(_markdown(rows), encoding="utf-8")
    failed = [r for r in rows if r.met is False]
    print(f"\n{len(rows) - len(failed)} of {len(rows)} verdicts hold; table in {out.relative_to(ROOT)}")
    return 1 if failed or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
