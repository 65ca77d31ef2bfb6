#!/usr/bin/env bash
# Orchard vs PyTorch on the same machine, interleaved: ROUNDS × (torch_gpt.py, orchard-train-bench ...), each
# with STEPS timed steps, so that a slow minute of a shared machine hits every contender. Prints every run and
# the median over runs of each contender's median-step tokens/s, and its ratio to PyTorch.
#   make bench-train   (builds .build-engine-rel/release/orchard-train-bench)
#   python3 -m venv .venv-torch && .venv-torch/bin/pip install torch numpy   (benchmarks/README.md)
#   benchmarks/side_by_side.sh [config=small] [rounds=5] [steps=30] [threads=2]
# ORCHARD_TRAIN_BENCH may list several orchard-train-bench binaries (space-separated), e.g. builds of two
# commits, to compare them within the same rounds; each is labelled orchard1, orchard2, ... in that order.
set -euo pipefail
cd "$(dirname "$0")/.."
config=${1:-small} rounds=${2:-5} steps=${3:-30} threads=${4:-2}
read -r -a orchards <<< "${ORCHARD_TRAIN_BENCH:-.build-engine-rel/release/orchard-train-bench}"
python=${TORCH_PYTHON:-.venv-torch/bin/python}
out=$(mktemp)
for r in $(seq "$rounds"); do
  "$python" benchmarks/torch_gpt.py --config "$config" --steps "$steps" --threads "$threads" --json 2>/dev/null | tail -1 \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); print("torch", d["tokens_per_second"], d["step_ms"])' | tee -a "$out"
  for i in "${!orchards[@]}"; do
    label=orchard; [ "${#orchards[@]}" -gt 1 ] && label="orchard$((i + 1))"
    "${orchards[$i]}" "$config" --steps "$steps" --threads "$threads" --json 2>/dev/null | tail -1 \
      | python3 -c 'import json,sys; d=json.load(sys.stdin)["results"][0]; print(sys.argv[1], d["tokens_per_second"], d["step_ms"], d["mfu"], d["peak_gflops"], d["peak_rss_bytes"])' "$label" \
      | tee -a "$out"
  done
done
python3 - "$out" "${orchards[@]}" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, tps, *_ = line.split()
    runs.setdefault(name, []).append(float(tps))
t = statistics.median(runs["torch"])
print(f"median over {len(runs['torch'])} rounds: torch {t:.0f} tokens/s; runs {sorted(round(x) for x in runs['torch'])}")
names = [n for n in runs if n != "torch"]  # first-seen order = the order of ORCHARD_TRAIN_BENCH
for name, path in zip(names, sys.argv[2:]):
    o = statistics.median(runs[name])
    print(f"{name} ({path}): {o:.0f} tokens/s, ratio {o / t:.2f}x; runs {sorted(round(x) for x in runs[name])}")
    # Each round's ratio to the PyTorch run just before it: the spread shows how much the host moved.
    ratios = [x / y for x, y in zip(runs[name], runs["torch"])]
    print(f"  per round: {' '.join(f'{r:.2f}' for r in ratios)}; median {statistics.median(ratios):.2f}x, "
          f">= 1.3x in {sum(r >= 1.3 for r in ratios)} of {len(ratios)}")
PY
rm -f "$out"
