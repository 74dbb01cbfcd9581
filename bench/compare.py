#!/usr/bin/env python3
"""Check that kpic and DuckDB give the same numbers (used by bench/eval.sh).

    python3 bench/compare.py KPIC.json DUCKDB.json [--rel 1e-6] [--only-common] [--show 10]

KPIC.json: `kpic eval --format json` (Results: rows[] with kpi, group, breakdown,
value and previous, each {"value": x} or {"missing": reason}).
DUCKDB.json: bench/duckdb_run.py --out (columns kpi, grp, breakdown, value, previous;
NULL = missing).

Rows are matched on (kpi, group, breakdown); a NULL / empty group is the portfolio and an
empty breakdown is none. Two values agree when both are missing, or both are numbers
with |a - b| <= rel * max(|a|, |b|) (+ 1e-9 absolute, for values at zero). Both the
value and the previous period's value are compared. --only-common compares only the
KPIs the DuckDB output has (for a hand-written query covering a few KPIs).

Prints a summary and the first --show mismatches; exit code 0 when everything matched,
1 otherwise.
"""

import argparse
import json
import math
import sys


def kpic_rows(path):
    d = json.load(open(path, encoding="utf-8"))
    out = {}
    for r in d["rows"]:
        k = (r["kpi"], r.get("group") or "", r.get("breakdown") or None)
        out[k] = tuple(
            (x["value"] if "value" in x else None, None if "value" in x else x.get("missing"))
            for x in (r["value"], r["previous"]))
    return out


def duck_rows(path):
    d = json.load(open(path, encoding="utf-8"))
    idx = {c.lower(): i for i, c in enumerate(d["columns"])}
    for c in ("kpi", "grp", "breakdown", "value", "previous"):
        if c not in idx:
            sys.exit(f"compare.py: {path}: no column {c} (has {d['columns']})")
    out = {}
    for r in d["rows"]:
        k = (r[idx["kpi"]], r[idx["grp"]] or "", r[idx["breakdown"]] or None)
        if k in out:
            print(f"warning: duplicate DuckDB row {k}", file=sys.stderr)
        out[k] = tuple((r[idx[c]], None) for c in ("value", "previous"))
    return out


def same(a, b, rel):
    if a is None or b is None:
        return a is None and b is None
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b) or math.isinf(a) or math.isinf(b):
        return False  # kpic never yields these; a SQL NaN / inf is a mismatch
    return abs(a - b) <= rel * max(abs(a), abs(b)) + 1e-9


def show(v):
    val, reason = v
    if val is None:
        return f"missing ({reason})" if reason else "NULL"
    return repr(val)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("kpic")
    ap.add_argument("duckdb")
    ap.add_argument("--rel", type=float, default=1e-6)
    ap.add_argument("--only-common", action="store_true")
    ap.add_argument("--show", type=int, default=10)
    args = ap.parse_args()
    k, d = kpic_rows(args.kpic), duck_rows(args.duckdb)
    if args.only_common:
        kpis = {key[0] for key in d}
        k = {key: v for key, v in k.items() if key[0] in kpis}
    mismatches = []
    compared = 0
    for key in sorted(set(k) | set(d), key=lambda x: (x[0], x[1], x[2] or "")):
        label = key[0] + (f" [{key[1]}]" if key[1] else "") + (f" ({key[2]})" if key[2] else "")
        if key not in d:
            mismatches.append(f"{label}: only in kpic: value {show(k[key][0])}, previous {show(k[key][1])}")
            continue
        if key not in k:
            mismatches.append(f"{label}: only in DuckDB: value {show(d[key][0])}, previous {show(d[key][1])}")
            continue
        for i, what in enumerate(("value", "previous")):
            compared += 1
            if not same(k[key][i][0], d[key][i][0], args.rel):
                mismatches.append(f"{label} {what}: kpic {show(k[key][i])}, DuckDB {show(d[key][i])}")
    n_kpis = len({key[0] for key in k})
    if mismatches:
        print(f"values: {len(mismatches)} MISMATCHES ({compared} values of {n_kpis} KPIs compared, "
              f"{len(k)} kpic rows, {len(d)} DuckDB rows)")
        for m in mismatches[:args.show]:
            print(f"  {m}")
        if len(mismatches) > args.show:
            print(f"  ... and {len(mismatches) - args.show} more")
        return 1
    print(f"values: all match ({compared} values of {n_kpis} KPIs, {len(k)} rows; "
          f"value and previous, relative tolerance {args.rel:g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
