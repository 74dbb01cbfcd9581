#!/usr/bin/env bash
# Benchmark: this build against a base build (e.g. main before a change) on the
# 1,000-account demo (`kpic eval --demo`, whole catalog) and on `kpic check` of the
# synthetic 20,000-KPI catalog of bench/check.sh, both binaries alternating.
#
# usage: bench/base.sh BASE_BINARY [RUNS]      # default 10 runs
# environment: BIN=FILE times this binary as "new" instead of building one.
# A base binary of main: git worktree add bench/out/base-src main &&
#   (cd bench/out/base-src && cargo build --profile profiling) ... or, when this branch
#   still is main's HEAD, cp target/profiling/kpic bench/out/kpic-base before changing it.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:?usage: bench/base.sh BASE_BINARY [RUNS]}
runs=${2:-10}
out=bench/out
mkdir -p "$out"
if [[ -z "${BIN:-}" ]]; then
  cargo build --profile profiling --quiet
  BIN=target/profiling/kpic
fi
cp "$BIN" "$out/kpic-cmp-new"
cp "$base" "$out/kpic-cmp-old"
[[ -d "$out/catalog" ]] || python3 bench/gen_catalog.py "$out/catalog" 20000
read -r load_before _ < /proc/loadavg
for what in demo check; do
  case $what in
    demo) args=(eval --demo --format json) ;;
    check) args=(check "$out/catalog") ;;
  esac
  for side in old new; do "$out/kpic-cmp-$side" "${args[@]}" > "$out/base-$what-$side.out" 2>&1 || true; done
  cmp -s "$out/base-$what-old.out" "$out/base-$what-new.out" \
    && echo "$what: same output" || echo "$what: OUTPUTS DIFFER (see $out/base-$what-*.out)"
  : > "$out/base-$what-old.txt"
  : > "$out/base-$what-new.txt"
  for _ in $(seq "$runs"); do
    for side in old new; do
      /usr/bin/time -f "%e %M" -o "$out/base-time.txt" "$out/kpic-cmp-$side" "${args[@]}" > /dev/null 2>&1 || true
      tail -1 "$out/base-time.txt" >> "$out/base-$what-$side.txt"
    done
  done
done
read -r load_after _ < /proc/loadavg
python3 - "$out" "$out/results.txt" "$(date -u '+%F %H:%M') tag=base load=$load_before-$load_after runs=$runs" <<'PY'
import statistics, sys
out, results, head = sys.argv[1:]
with open(results, "a") as f:
    for what in ("demo", "check"):
        m = {}
        for side in ("old", "new"):
            rows = [tuple(map(float, l.split())) for l in open(f"{out}/base-{what}-{side}.txt") if l.strip()]
            t = [r[0] for r in rows]
            m[side] = (statistics.median(t), min(t), max(t), max(r[1] for r in rows) / 1024)
        line = (f"{what}: base {m['old'][0]:.3f} s ({m['old'][1]:.3f}-{m['old'][2]:.3f}) {m['old'][3]:.0f} MiB; "
                f"new {m['new'][0]:.3f} s ({m['new'][1]:.3f}-{m['new'][2]:.3f}) {m['new'][3]:.0f} MiB; "
                f"time new/base {m['new'][0] / m['old'][0]:.2f} memory {m['new'][3] / m['old'][3]:.2f}")
        print(line)
        print(f"{head} {line}", file=f)
PY
