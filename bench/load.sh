#!/usr/bin/env bash
# Benchmark: kpic's load time against the tokenizer floor on the same CSV bytes.
#
# usage: bench/load.sh [N_ACCOUNTS] [RUNS] [KPI ...]    # defaults: 100000 5 (whole catalog)
# environment: PERIOD=2025; THREADS=N cores for both (RAYON_NUM_THREADS; default all);
#   BIN=FILE times this kpic binary instead of building one.
#
# Needs bench/out/data-N (written by bench/eval.sh). Builds kpic and the example
# `tokenize_floor` (the profiling profile, as bench/eval.sh); then RUNS times, alternating: the floor (every field of
# every CSV of the folder split once on all cores, no conversion, by the faster of the
# `csv` crate and `simd-csv` (the smaller `tokenize` time the example prints); and every
# line end found by memchr) and `KPIC_TIMING=1 kpic eval`, whose
# `load` line is kpic's load time (only the tables and columns the KPIs read, so
# kpic may read fewer bytes than the floor). Prints the medians and load / floor.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
runs=${2:-5}
shift $(( $# > 2 ? 2 : $# ))
kpis=("$@")
period=${PERIOD:-2025}
data=bench/out/data-$n
[[ -d "$data" ]] || { echo "no $data: run bench/eval.sh $n first" >&2; exit 1; }
# Always rebuilt (a no-op when current): a stale floor binary once timed only the `csv`
# crate, a slower floor than the fastest tokenizer the floor stands for.
cargo build --profile profiling --quiet --example tokenize_floor
cp target/profiling/examples/tokenize_floor bench/out/tokenize_floor
if [[ -z "${BIN:-}" ]]; then
  cargo build --profile profiling --quiet --bin kpic
  BIN=target/profiling/kpic
fi
cp "$BIN" bench/out/kpic-load
threads=()
[[ -n "${THREADS:-}" ]] && threads=(env "RAYON_NUM_THREADS=$THREADS")
: > bench/out/load-floor.txt
: > bench/out/load-kpic.txt
for i in $(seq "$runs"); do
  "${threads[@]}" bench/out/tokenize_floor "$data" \
    | awk '/^tokenize/ {if (t == "" || $5 + 0 < t + 0) t = $5} /^line ends/ {l=$6} END {print t, l}' >> bench/out/load-floor.txt
  KPIC_TIMING=1 "${threads[@]}" bench/out/kpic-load eval "${kpis[@]}" --data "$data" \
    --period "$period" --format json 2>&1 >/dev/null \
    | sed -n 's/^load \([0-9.]*\)\(m\?s\).*/\1 \2/p' >> bench/out/load-kpic.txt
  echo "run $i: floor $(tail -1 bench/out/load-floor.txt) s (tokenize, line ends), kpic load $(tail -1 bench/out/load-kpic.txt)"
done
read -r load_avg _ < /proc/loadavg
python3 - bench/out/load-floor.txt bench/out/load-kpic.txt \
  "$(date -u '+%F %H:%M') tag=floor-$n${THREADS:+-t$THREADS} load=$load_avg runs=$runs" <<'PY'
import statistics, sys
floor = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
kpic = [float(v) / (1000 if u == "ms" else 1) for v, u in (l.split() for l in open(sys.argv[2]) if l.strip())]
t = statistics.median(f[0] for f in floor)
l = statistics.median(f[1] for f in floor)
k = statistics.median(kpic)
print(f"floor: tokenize {t:.3f} s, line ends {l:.3f} s (medians); kpic load {k:.3f} s (median)")
print(f"kpic load / tokenizer floor: {k / t:.2f}")
with open("bench/out/results.txt", "a") as f:
    print(f"{sys.argv[3]} floor tokenize {t:.3f} s, line ends {l:.3f} s; kpic load {k:.3f} s; load/floor {k / t:.2f}", file=f)
PY
