#!/usr/bin/env bash
# Benchmark: `kpic diff` of two synthetic catalogs of 20,000 KPIs each, the second
# with CHANGED KPIs' formulas edited (every (N/CHANGED)-th KPI: `(formula) * 2`).
# Prints the median wall time of RUNS runs, the peak memory, and the diff's summary.
# usage: bench/diff.sh [N_KPIS] [CHANGED] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
changed=${2:-100}
runs=${3:-5}
# release with line tables (the `profiling` profile), as the other benchmarks;
# KPIC_BENCH_BIN=target/debug/kpic times another build.
bin=${KPIC_BENCH_BIN:-target/profiling/kpic}
if [ -z "${KPIC_BENCH_BIN:-}" ]; then cargo build --profile profiling --quiet; fi
python3 bench/gen_catalog.py bench/out/diff_old "$n"
rm -rf bench/out/diff_new
cp -r bench/out/diff_old bench/out/diff_new
python3 - "$n" "$changed" <<'PY'
import sys
from pathlib import Path
n, changed = int(sys.argv[1]), int(sys.argv[2])
step = max(1, n // changed)
done = 0
kpi = -1
for path in sorted(Path("bench/out/diff_new").glob("*.kpi")):
    lines = path.read_text().split("\n")
    edited = False
    for i, line in enumerate(lines):
        if line.startswith("kpi "):
            kpi += 1
            edited = False
        elif (line.startswith("  formula: ") and kpi >= 0 and not edited
              and kpi % step == 0 and done < changed):
            lines[i] = "  formula: (" + line[len("  formula: "):] + ") * 2"
            edited = True
            done += 1
    path.write_text("\n".join(lines))
print(f"edited {done} KPIs")
PY
"$bin" diff --old-path bench/out/diff_old --new-path bench/out/diff_new | sed -n 2p
times=()
for _ in $(seq "$runs"); do
  /usr/bin/time -o bench/out/diff-time.txt -f "%e %M" \
    "$bin" diff --old-path bench/out/diff_old --new-path bench/out/diff_new --format json >/dev/null
  times+=("$(tail -1 bench/out/diff-time.txt)")
done
printf '%s\n' "${times[@]}" | sort -n | awk -v runs="$runs" '
  { t[NR]=$1; m[NR]=$2 }
  END {
    med = (runs % 2) ? t[(runs+1)/2] : (t[runs/2] + t[runs/2+1]) / 2
    maxm = 0; for (i in m) if (m[i] > maxm) maxm = m[i]
    printf "kpic diff, %d runs: median %.3f s, min %.3f s, max %.3f s, peak RSS %.1f MiB\n", runs, med, t[1], t[runs], maxm/1024
  }'
