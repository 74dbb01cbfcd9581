#!/usr/bin/env python3
"""DuckDB side of bench/eval.sh: load a dataset's CSVs into tables and run one query.

    python bench/duckdb_run.py --ddl DDL.sql --query QUERY.sql --data DIR [--out rows.json]

1. runs the DDL (the `CREATE TABLE` statements of `kpic sql --ddl --dialect duckdb`) in a
   fresh in-memory database;
2. loads DIR/TABLE.csv into every table it created: `COPY TABLE FROM ... (HEADER)` when
   the CSV header lists the table's columns in its order (the dataset convention), else
   `INSERT INTO TABLE BY NAME SELECT * FROM read_csv(..., columns = {the table's types})`;
   a table whose CSV is absent stays empty; with --parquet, DIR/TABLE.parquet instead
   (`kpic convert` writes them), read with `read_parquet` and inserted by name;
3. runs the query (`kpic sql --dialect duckdb --period P`: columns kpi, grp, breakdown,
   value, previous) and fetches every row.

Prints the load and query times and the row count to stderr; with --out, writes the
rows as JSON: {"columns": [...], "rows": [[...], ...]} (DECIMALs as floats, dates as
strings). DuckDB uses all cores (its default), as kpic does.
"""

import argparse
import json
import os
import sys
import time

import duckdb


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ddl", required=True)
    ap.add_argument("--query", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out")
    ap.add_argument("--threads", type=int, help="PRAGMA threads (default: DuckDB's, all cores)")
    ap.add_argument("--tables", help="load only these tables (comma-separated); the others stay empty")
    ap.add_argument("--parquet", action="store_true", help="read DIR/TABLE.parquet instead of DIR/TABLE.csv")
    args = ap.parse_args()
    t0 = time.perf_counter()
    con = duckdb.connect(":memory:")
    if args.threads:
        con.execute(f"SET threads = {args.threads}")
    before = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    con.execute(open(args.ddl, encoding="utf-8").read())
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() ORDER BY table_name").fetchall() if r[0] not in before]
    if not tables:
        sys.exit(f"duckdb_run.py: {args.ddl} created no table")
    loaded = {}
    only = set(args.tables.split(",")) if args.tables else None
    for t in tables:
        if only is not None and t not in only:
            continue
        path = os.path.join(args.data, f"{t}.{'parquet' if args.parquet else 'csv'}")
        if not os.path.exists(path):
            print(f"duckdb_run.py: no {path}; table {t} left empty", file=sys.stderr)
            continue
        lit = path.replace("'", "''")
        if args.parquet:
            # The files hold the model's names and types (decimals, dates): inserted by
            # name, each column cast to the DDL's type as COPY would.
            con.execute(f"INSERT INTO \"{t}\" BY NAME SELECT * FROM read_parquet('{lit}')")
            loaded[t] = con.execute(f"SELECT count(*) FROM \"{t}\"").fetchone()[0]
            continue
        cols = con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index",
            [t]).fetchall()
        with open(path, encoding="utf-8") as f:
            header = f.readline().rstrip("\r\n").split(",")
        if header == [c for c, _ in cols]:
            con.execute(f"COPY \"{t}\" FROM '{lit}' (FORMAT csv, HEADER true)")
        else:
            types = dict(cols)
            spec = ", ".join(f"'{h}': '{types.get(h, 'VARCHAR')}'" for h in header)
            con.execute(f"INSERT INTO \"{t}\" BY NAME SELECT * FROM read_csv('{lit}', header = true, "
                        f"columns = {{{spec}}})")
        loaded[t] = con.execute(f"SELECT count(*) FROM \"{t}\"").fetchone()[0]
    t1 = time.perf_counter()
    cur = con.execute(open(args.query, encoding="utf-8").read())
    columns = [d[0] for d in cur.description]
    rows = cur.fetchall()
    t2 = time.perf_counter()
    print(f"duckdb: load {t1 - t0:.3f} s ({sum(loaded.values()):,} rows in {len(loaded)} tables), "
          f"query {t2 - t1:.3f} s ({len(rows)} result rows)", file=sys.stderr)
    if args.out:
        def conv(v):
            if v is None or isinstance(v, (str, int, float, bool)):
                return v
            try:
                return float(v)  # Decimal
            except (TypeError, ValueError):
                return str(v)
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump({"columns": columns, "rows": [[conv(v) for v in r] for r in rows]}, f)


if __name__ == "__main__":
    main()
