#!/usr/bin/env bash
# Benchmark: the language server's re-check latency after a one-character edit, on a
# synthetic catalog of 1,000 and of 20,000 KPIs (bench/gen_catalog.py): the median time
# from didChange to the edited file's publishDiagnostics over EDITS edits.
# usage: bench/lsp.sh [EDITS]
set -euo pipefail
cd "$(dirname "$0")/.."
edits=${1:-100}
# release with line tables (the `profiling` profile), as the other benchmarks
cargo build --profile profiling --quiet
for n in 1000 20000; do
  python3 bench/gen_catalog.py "bench/out/lsp-$n" "$n"
  python3 bench/lsp_latency.py target/profiling/kpic "bench/out/lsp-$n" "$edits"
done
uptime
