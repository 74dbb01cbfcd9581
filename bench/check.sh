#!/usr/bin/env bash
# Benchmark: `kpic check` on a synthetic catalog of 20,000 KPIs.
# Prints the median wall time of RUNS runs and the peak memory (max RSS).
# usage: bench/check.sh [N_KPIS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
runs=${2:-10}
# release with line tables (the `profiling` profile), for callgrind and perf
cargo build --profile profiling --quiet
python3 bench/gen_catalog.py bench/out/catalog "$n"
du -sh bench/out/catalog | awk '{print "catalog size: " $1}'
bin=target/profiling/kpic
"$bin" check bench/out/catalog 2>&1 | tail -1
times=()
for _ in $(seq "$runs"); do
  /usr/bin/time -o bench/out/check-time.txt -f "%e %M" "$bin" check bench/out/catalog >/dev/null 2>&1
  times+=("$(tail -1 bench/out/check-time.txt)")
done
printf '%s\n' "${times[@]}" | sort -n | awk -v runs="$runs" '
  { t[NR]=$1; m[NR]=$2 }
  END {
    med = (runs % 2) ? t[(runs+1)/2] : (t[runs/2] + t[runs/2+1]) / 2
    maxm = 0; for (i in m) if (m[i] > maxm) maxm = m[i]
    printf "kpic check, %d runs: median %.3f s, min %.3f s, max %.3f s, peak RSS %.1f MiB\n", runs, med, t[1], t[runs], maxm/1024
  }'
