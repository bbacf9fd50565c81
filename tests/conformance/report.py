"""Print the API conformance report: one markdown row per Keras module, then the gaps.

    python tests/conformance/report.py            # table + per-name gaps
    python tests/conformance/report.py --table    # table only (what the README shows)
    python tests/conformance/report.py --write-baseline   # record today's matching names (the ratchet)

Columns: Keras public names, present in kerastorch, present *and* matching (signature
and default ``get_config()``), excluded (deliberately not provided, with a reason in
kerastorch/_unsupported.py), and matching / (names - excluded).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("KERAS_BACKEND", "torch")

import walker


def build_report(modules: tuple[str, ...] = walker.MODULES) -> tuple[list[walker.ModuleSummary], dict]:
    summaries, details = [], {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for module in modules:
            results = walker.compare_module(module)
            details[module] = results
            summaries.append(walker.summarize(module, results))
        if "keras.backend" in modules:
            summaries.append(walker.keras2_backend_summary())
    return summaries, details


def table(summaries: list[walker.ModuleSummary]) -> str:
    lines = ["| Keras module | names | present | matching | excluded | matching % |",
             "|---|---:|---:|---:|---:|---:|"]
    totals = [0, 0, 0, 0]
    for s in summaries:
        if s.module.startswith("keras.backend ("):  # presence-only row, outside the totals
            lines.append(f"| {s.module} | {s.names} | {s.present} | - | {s.excluded} | "
                         f"{100 * s.fraction:.0f}% present |")
            continue
        lines.append(f"| `{s.module}` | {s.names} | {s.present} | {s.matching} | {s.excluded} | "
                     f"{100 * s.fraction:.0f}% |")
        for i, value in enumerate((s.names, s.present, s.matching, s.excluded)):
            totals[i] += value
    wanted = totals[0] - totals[3]
    lines.append(f"| **all** | {totals[0]} | {totals[1]} | {totals[2]} | {totals[3]} | "
                 f"{100 * totals[2] / max(wanted, 1):.0f}% |")
    return "\n".join(lines)


def gaps(details: dict) -> str:
    lines = []
    for module, results in details.items():
        bad = [r for r in results if not r.matching and r.excluded is None]
        if not bad:
            continue
        lines.append(f"\n### `{module}` gaps ({len(bad)})")
        for r in bad:
            tag = " (data-side issue)" if r.qualname in walker.DATA_SIDE else ""
            lines.append(f"- `{r.name}`{tag}: {'; '.join(r.problems)[:300]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", action="store_true", help="print the table only")
    parser.add_argument("--module", action="append", help="limit to these Keras modules")
    parser.add_argument("--write-baseline", action="store_true",
                        help="write the present-and-matching names to baseline.json (all modules)")
    args = parser.parse_args(argv)
    summaries, details = build_report(tuple(args.module) if args.module and not args.write_baseline
                                      else walker.MODULES)
    if args.write_baseline:
        matching = sorted(r.qualname for results in details.values() for r in results
                          if r.matching and r.excluded is None)
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "baseline.json")
        with open(path, "w") as f:
            json.dump({"keras": "3.15.1", "matching": matching}, f, indent=0)
            f.write("\n")
        print(f"wrote {len(matching)} names to {path}")
    import keras
    print(f"API conformance against keras=={keras.__version__} (names present / matching):\n")
    print(table(summaries))
    if not args.table:
        print(gaps(details))


if __name__ == "__main__":
    main()
