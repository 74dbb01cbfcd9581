#!/usr/bin/env python3
"""Generate a large synthetic KAM dataset for the model in kpis/model.kpi.

Deterministic (standard library only, one random.Random(seed) consumed in a fixed
order, no iteration over sets or dicts whose order could vary): the same --accounts
and --seed write the same files byte for byte.

    python3 bench/gen_data.py --accounts 100000 --out bench/out/data-100000 [--seed 20250]
    python3 bench/gen_data.py --accounts 1000 --out /tmp/d --validate   # re-read and check

One CSV per table of the model (`TABLE.csv`, header = the declared column names, in the
declared order; the generator checks them against kpis/model.kpi before writing).
Years 2024 and 2025. Per 100 accounts, roughly:

  62  long-standing customers (since 2008-2022)     7  acquired in 2024 (1 in 5 of them
   5  lost in 2024                                     lost again at the first renewal, 2025)
   6  lost in 2025                                   7  acquired in 2025
  13  prospects (in the target market, never customers)

tiers: 10% strategic, 35% key, 55% developing (prospects lean to strategic / key).
About 40 orders per account per year (customers order 34-115 a year depending on tier,
prospects and lost accounts none), so ~80 orders per account over the two years;
~180 rows per account in all tables together (100,000 accounts: 7.9M orders, 18M rows,
1.1 GB, about 45 s of CPU on one core; 300,000 accounts about 2-3 minutes).

Data conventions, the same as examples/generate_example_data.py:
  - no order, opportunity, lead, touchpoint, review, survey, ticket, contract or cost
    and no customer_since / churned_on date falls on 2024-01-01 (only plan rows --
    revenue_plans.quarter_start and account_plans.valid_from -- start on that day);
  - an account orders, files tickets, answers surveys and is billed service costs only
    while it is a customer (customer_since <= date < churned_on);
  - a product line adopted in 2024 or 2025 has its first order exactly on its
    first_purchased_on date; lines bought before 2024 have first_purchased_on before 2024;
  - a churned account's main contract ends the day before churned_on and is "lost"
    (churned_on is an anniversary of customer_since);
  - optional cells are empty only in optional columns; money has two decimals, dates
    are YYYY-MM-DD, booleans true/false, hours one decimal.

Rows are written account by account (an account's rows are contiguous in every
table), in batches (only one batch's rows are in memory); ids are numbered in that
order. Each row is formatted as one CSV line directly (no cell needs quoting: checked in
gen_data_tables.py), which writes the same bytes as csv.writer did, and the random draws
are those of random.Random's own methods (gen_data_tables.fast_draws): a generator change
must keep the output byte-identical for the same seed, or say so, since benchmark history
depends on the data.

Files: this one (command line, writing), gen_data_tables.py (constants, columns, random
helpers), gen_data_account.py (the rows of one account), gen_data_check.py (the model
check and --validate).
"""

import argparse
import os
import sys
import time

import gen_data_check
from gen_data_account import Gen
from gen_data_tables import COLUMNS, TF


# -------------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--accounts", type=int, default=1000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=20250)
    # 250 rather than 2000: a third of the memory (36 MB) and half the system time, same bytes.
    ap.add_argument("--batch", type=int, default=250,
                    help="accounts per write batch (the output does not depend on it)")
    ap.add_argument("--validate", action="store_true", help="re-read the files and check the conventions")
    args = ap.parse_args()
    gen_data_check.check_model(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), COLUMNS)
    os.makedirs(args.out, exist_ok=True)
    g = Gen(args.seed)
    g.n_managers = max(5, args.accounts // 150)
    files = {}
    for t, cols in COLUMNS.items():
        files[t] = open(os.path.join(args.out, f"{t}.csv"), "w", newline="", encoding="utf-8",
                        buffering=1 << 20)
        files[t].write(",".join(cols) + "\n")
    counts = {t: 0 for t in COLUMNS}
    t0 = time.perf_counter()

    def flush():
        # One write per table and batch; only a batch's rows are ever in memory.
        for t, rows in g.rows.items():
            if rows:
                files[t].write("\n".join(rows))
                files[t].write("\n")
                counts[t] += len(rows)
                rows.clear()

    tty = sys.stderr.isatty()
    every = max(args.batch, (args.accounts // 10 // args.batch) * args.batch)  # ~10 lines when not a terminal

    def progress(done, end):
        cr = "\r" if tty else ""
        print(f"{cr}{done}/{args.accounts} accounts, {counts['orders']:,} orders, "
              f"{time.perf_counter() - t0:.1f} s", end=end, file=sys.stderr, flush=True)

    for i in range(args.accounts):
        g.account(i)
        if (i + 1) % args.batch == 0:
            flush()
            if tty:
                progress(i + 1, "")
            elif (i + 1) % every == 0 and i + 1 < args.accounts:
                progress(i + 1, "\n")
    flush()
    for f in files.values():
        f.close()
    progress(args.accounts, "\n")
    total = 0
    for t in COLUMNS:
        print(f"{t:18} {counts[t]:>11,} rows", file=sys.stderr)
        total += counts[t]
    print(f"{'total':18} {total:>11,} rows in {time.perf_counter() - t0:.1f} s -> {args.out}", file=sys.stderr)
    if args.validate:
        gen_data_check.validate(args.out, COLUMNS, TF)


if __name__ == "__main__":
    main()
