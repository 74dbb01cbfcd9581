#!/usr/bin/env bash
# Every benchmark of issue 12, one row per command; each row appends its figures (date,
# load average, medians, ratios) to bench/out/results.txt.
#
# usage: bench/all.sh ROW [RUNS]     (RUNS default 3; `bench/all.sh list` shows the rows)
#   csv-10k csv-100k          whole catalog on CSV vs DuckDB: time and peak memory
#   parquet-10k parquet-100k  kpic on Parquet vs DuckDB on the same Parquet files
#   floor-100k                kpic's load time against the tokenizer floor
#   cores-1 cores-2           100k accounts with 1 and 2 cores on both sides
#   accounts-300k             the third point of the scaling in rows (10k, 100k above)
#   win_rate                  `kpic eval win_rate` vs DuckDB loading only its 2 tables
#   per-account               `--per-account` at 100k vs DuckDB computing the same rows
#   base                      the demo and bench/check.sh against bench/out/kpic-base
# environment: BIN=FILE (a built kpic; default: build the profiling profile once);
#   N=10000 runs the rows at 100k (floor, cores, win_rate, per-account) at N accounts.
set -euo pipefail
cd "$(dirname "$0")/.."
row=${1:-list}
runs=${2:-3}
if [[ "$row" == list ]]; then
  sed -n '/^#   /s/^#   //p' "$0"
  exit 0
fi
if [[ -z "${BIN:-}" ]]; then
  cargo build --profile profiling --quiet
  mkdir -p bench/out
  cp target/profiling/kpic bench/out/kpic-all
  export BIN=bench/out/kpic-all
fi
export BIN
n=${N:-100000}
case $row in
  csv-10k) bench/eval.sh 10000 "$runs" ;;
  csv-100k) bench/eval.sh 100000 "$runs" ;;
  parquet-10k) FORMAT=parquet bench/eval.sh 10000 "$runs" ;;
  parquet-100k) FORMAT=parquet bench/eval.sh 100000 "$runs" ;;
  floor-100k) bench/load.sh "$n" "$runs" ;;
  cores-1) THREADS=1 bench/eval.sh "$n" "$runs" ;;
  cores-2) THREADS=2 bench/eval.sh "$n" "$runs" ;;
  accounts-300k) bench/eval.sh 300000 "$runs" ;;
  win_rate) TAG=$n-win_rate KPIC_ARGS=win_rate DUCK_TABLES=accounts,opportunities \
    bench/eval.sh "$n" "$runs" ;;
  per-account) TAG=$n-per-account KPIC_ARGS=--per-account bench/eval.sh "$n" "$runs" ;;
  base)
    [[ -x bench/out/kpic-base ]] || { echo "no bench/out/kpic-base: build main's kpic (profiling) there" >&2; exit 1; }
    bench/base.sh bench/out/kpic-base "$((runs < 10 ? 10 : runs))" ;;
  *) echo "unknown row $row; bench/all.sh list" >&2; exit 2 ;;
esac
