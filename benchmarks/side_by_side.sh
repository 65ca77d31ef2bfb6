#!/usr/bin/env bash
# Orchard vs PyTorch on the same machine, interleaved: ROUNDS × (torch_gpt.py, orchard-train-bench), each
# with STEPS timed steps, so that a slow minute of a shared machine hits both. Prints every run and the
# median over runs of each engine's median-step tokens/s.
#   make bench-train   (builds .build-engine-rel/release/orchard-train-bench)
#   python3 -m venv .venv-torch && .venv-torch/bin/pip install torch numpy   (benchmarks/README.md)
#   benchmarks/side_by_side.sh [config=small] [rounds=5] [steps=30] [threads=2]
set -euo pipefail
cd "$(dirname "$0")/.."
config=${1:-small} rounds=${2:-5} steps=${3:-30} threads=${4:-2}
orchard=${ORCHARD_TRAIN_BENCH:-.build-engine-rel/release/orchard-train-bench}
python=${TORCH_PYTHON:-.venv-torch/bin/python}
out=$(mktemp)
for r in $(seq "$rounds"); do
  "$python" benchmarks/torch_gpt.py --config "$config" --steps "$steps" --threads "$threads" --json 2>/dev/null | tail -1 \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); print("torch", d["tokens_per_second"], d["step_ms"])' | tee -a "$out"
  "$orchard" "$config" --steps "$steps" --threads "$threads" --json 2>/dev/null | tail -1 \
    | python3 -c 'import json,sys; d=json.load(sys.stdin)["results"][0]; print("orchard", d["tokens_per_second"], d["step_ms"], d["mfu"], d["peak_gflops"], d["peak_rss_bytes"])' | tee -a "$out"
done
python3 - "$out" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, tps, *_ = line.split()
    runs.setdefault(name, []).append(float(tps))
t, o = statistics.median(runs["torch"]), statistics.median(runs["orchard"])
print(f"median over {len(runs['orchard'])} runs: orchard {o:.0f} tokens/s, torch {t:.0f} tokens/s, ratio {o / t:.2f}x")
print(f"orchard runs {sorted(round(x) for x in runs['orchard'])}; torch runs {sorted(round(x) for x in runs['torch'])}")
PY
rm -f "$out"
