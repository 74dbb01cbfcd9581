#!/usr/bin/env bash
# Benchmark: `kpic eval` of the whole catalog for one year against DuckDB loading the
# same CSVs and running the equivalent SQL (from `kpic sql`), on generated data.
#
# usage: bench/eval.sh [N_ACCOUNTS] [RUNS]          # defaults: 100000 5
# environment:
#   PERIOD=2025        period evaluated (both sides)
#   SEED=20250         generator seed
#   THREADS=N          cores for both: DuckDB threads and kpic's RAYON_NUM_THREADS
#                      (default: all cores)
#   DUCK_TABLES=a,b    DuckDB loads only these tables (a single-KPI request, e.g.
#                      KPIC_ARGS=win_rate DUCK_TABLES=accounts,opportunities)
#   BENCH_DDL=FILE     use this DDL instead of `kpic sql --ddl --dialect duckdb`
#   BENCH_QUERY=FILE   use this query instead of `kpic sql --dialect duckdb --period P`
#                      (then only the KPIs the query returns are compared)
#   FORMAT=parquet     both sides read Parquet: bench/out/data-N-parquet, written from
#                      the CSVs by `kpic convert` (once per dataset stamp); DuckDB reads
#                      the same files with read_parquet
#   BIN=FILE           time this kpic binary instead of building one (it is still copied)
#   CHECK=0            no untimed runs and no comparison of the values (to save time
#                      on a busy machine: the timed runs only)
#   TAG=name           names this row's output files and its line in bench/out/results.txt
#   KPIC_ARGS="..."    more arguments for `kpic eval` and `kpic sql` (both sides), e.g.
#                      the aggregates over members of bench/grain.kpi:
#                      KPIC_ARGS="mean_account_margin median_key_account_revenue
#                      share_of_accounts_met mean_penetration_by_manager
#                      --catalog kpis --catalog bench/grain.kpi"
#
# Steps: build kpic (the `profiling` profile: release with line tables, for perf); generate bench/out/data-N with bench/gen_data.py unless
# the same generator and seed already wrote it; create bench/out/venv with duckdb unless
# present; write the DDL and the query with kpic; one untimed run of each side (its
# output is kept for the comparison, and the CSVs land in the page cache); RUNS timed runs
# of each, alternating, each a fresh process under /usr/bin/time -f "%e %M"; print the
# median / min / max wall time and peak RSS of each, the ratios, and whether the numbers
# match (bench/compare.py).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
runs=${2:-5}
period=${PERIOD:-2025}
seed=${SEED:-20250}
out=bench/out
data=$out/data-$n
mkdir -p "$out"

format=${FORMAT:-csv}
tag=${TAG:-$n-$format${THREADS:+-t$THREADS}}
echo "== build"
if [[ -z "${BIN:-}" ]]; then
  cargo build --profile profiling --quiet
  BIN=target/profiling/kpic
  echo "kpic $(git describe --always --dirty 2>/dev/null || echo '(no git)'), built $(date -r "$BIN" '+%F %T')"
fi
# a private copy: a concurrent `cargo build` must not swap the binary between runs
bin=$out/kpic-$tag
cp "$BIN" "$bin"

echo "== dataset: $n accounts -> $data"
stamp="accounts=$n seed=$seed generator=$(cat bench/gen_data*.py | sha1sum | cut -c1-16)"
if [[ -f "$data.stamp" && "$(cat "$data.stamp")" == "$stamp" && -d "$data" ]]; then
  echo "reusing $data ($stamp)"
else
  rm -rf "$data" "$data.stamp"
  start=$(date +%s.%N)
  python3 bench/gen_data.py --accounts "$n" --seed "$seed" --out "$data"
  echo "generated in $(echo "$(date +%s.%N) $start" | awk '{printf "%.1f", $1 - $2}') s"
  echo "$stamp" > "$data.stamp"
fi
echo "size: $(du -sh "$data" | cut -f1), orders: $(($(wc -l < "$data/orders.csv") - 1)) rows"
csv_data=$data
if [[ "$format" == parquet ]]; then
  data=$out/data-$n-parquet
  if [[ -f "$data.stamp" && "$(cat "$data.stamp")" == "$(cat "$csv_data.stamp")" && -d "$data" ]]; then
    echo "reusing $data"
  else
    rm -rf "$data" "$data.stamp"
    "$bin" convert --data "$csv_data" --out "$data"
    cp "$csv_data.stamp" "$data.stamp"
  fi
  echo "parquet: $(du -sh "$data" | cut -f1) in $data"
elif [[ "$format" != csv ]]; then
  echo "FORMAT must be csv or parquet" >&2
  exit 2
fi

echo "== duckdb (python venv $out/venv)"
py=$out/venv/bin/python
if ! [[ -x "$py" ]] || ! "$py" -c 'import duckdb' 2>/dev/null; then
  python3 -m venv "$out/venv"
  "$py" -m pip install --quiet --disable-pip-version-check duckdb
fi
echo "duckdb $("$py" -c 'import duckdb; print(duckdb.__version__)')"

echo "== SQL"
only_common=()
read -r -a extra <<< "${KPIC_ARGS:-}"
if [[ -n "${BENCH_DDL:-}" ]]; then
  ddl=$BENCH_DDL
else
  ddl=$out/duckdb-ddl.sql
  "$bin" sql --ddl --dialect duckdb > "$ddl"
fi
if [[ -n "${BENCH_QUERY:-}" ]]; then
  query=$BENCH_QUERY
  only_common=(--only-common)
else
  query=$out/duckdb-query-$period.sql
  "$bin" sql --dialect duckdb --period "$period" "${extra[@]}" > "$query"
fi
echo "ddl: $ddl ($(grep -ci 'create table' "$ddl") tables), query: $query ($(wc -c < "$query") bytes)"

kpic_cmd=(env ${THREADS:+RAYON_NUM_THREADS=$THREADS} "$bin" eval --data "$data" --period "$period" --format json "${extra[@]}")
duck_cmd=("$py" bench/duckdb_run.py --ddl "$ddl" --query "$query" --data "$data")
[[ -n "${THREADS:-}" ]] && duck_cmd+=(--threads "$THREADS")
[[ -n "${DUCK_TABLES:-}" ]] && duck_cmd+=(--tables "$DUCK_TABLES")
[[ "$format" == parquet ]] && duck_cmd+=(--parquet)

echo "== untimed runs (outputs for the comparison; warm the page cache)"
kpic_json=$out/kpic-$tag-$period.json
duck_json=$out/duckdb-$tag-$period.json
if [[ "${CHECK:-1}" != 0 ]]; then
  "${kpic_cmd[@]}" > "$kpic_json"
  "${duck_cmd[@]}" --out "$duck_json"
fi

echo "== $runs timed runs each"
read -r load1 _ < /proc/loadavg
load_before=$load1
if awk -v l="$load1" 'BEGIN { exit !(l > 0.5) }'; then
  echo "warning: load average $load1 before timing; other processes will skew the figures"
fi
tf=$(mktemp)
errf=$(mktemp)
trap 'rm -f "$tf" "$errf"' EXIT
: > "$out/times-kpic-$tag.txt"
: > "$out/times-duckdb-$tag.txt"
timed() { # FILE CMD...: one run under /usr/bin/time, "%e %M" appended to FILE
  local file=$1
  shift
  if ! /usr/bin/time -f "%e %M" -o "$tf" "$@" > /dev/null 2> "$errf"; then
    echo "failed: $*" >&2
    cat "$errf" "$tf" >&2
    exit 1
  fi
  tail -1 "$tf" >> "$file"
}
for i in $(seq "$runs"); do
  timed "$out/times-kpic-$tag.txt" "${kpic_cmd[@]}"
  timed "$out/times-duckdb-$tag.txt" "${duck_cmd[@]}"
  echo "run $i: kpic $(tail -1 "$out/times-kpic-$tag.txt" | awk '{printf "%.2f s %.0f MiB", $1, $2/1024}')," \
       "duckdb $(tail -1 "$out/times-duckdb-$tag.txt" | awk '{printf "%.2f s %.0f MiB", $1, $2/1024}')"
done

read -r load_after _ < /proc/loadavg
echo "== results: $n accounts, $format, period $period, $runs runs, $(nproc) cores, load average $load_before before, $load_after after"
python3 - "$out/times-kpic-$tag.txt" "$out/times-duckdb-$tag.txt" "$out/results.txt" \
  "$(date -u '+%F %H:%M') tag=$tag load=$load_before-$load_after runs=$runs" <<'EOF'
import statistics, sys
res = {}
for name, path in (("kpic", sys.argv[1]), ("duckdb", sys.argv[2])):
    rows = [tuple(map(float, l.split())) for l in open(path) if l.strip()]
    t = [r[0] for r in rows]
    res[name] = (statistics.median(t), min(t), max(t), max(r[1] for r in rows) / 1024)
    med, lo, hi, rss = res[name]
    print(f"{name:7} median {med:7.3f} s   min {lo:7.3f} s   max {hi:7.3f} s   peak RSS {rss:8.1f} MiB")
k, d = res["kpic"], res["duckdb"]
print(f"time ratio kpic/duckdb (median): {k[0] / d[0]:.2f}")
print(f"peak-memory ratio kpic/duckdb:   {k[3] / d[3]:.2f}")
with open(sys.argv[3], "a") as f:  # one line per row, for the README's tables
    print(f"{sys.argv[4]} kpic {k[0]:.3f} s ({k[1]:.3f}-{k[2]:.3f}) {k[3]:.0f} MiB; "
          f"duckdb {d[0]:.3f} s ({d[1]:.3f}-{d[2]:.3f}) {d[3]:.0f} MiB; "
          f"time {k[0] / d[0]:.2f} memory {k[3] / d[3]:.2f}", file=f)
EOF
if [[ "${CHECK:-1}" != 0 ]]; then
  python3 bench/compare.py "$kpic_json" "$duck_json" "${only_common[@]}"
fi
