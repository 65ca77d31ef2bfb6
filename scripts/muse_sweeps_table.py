#!/usr/bin/env python3
"""Scalability and sustainability tables and plots of a MUSE sweep (MuseBenchmarkExperiment/sweeps JSON): per seed,
sweep and forget-set size, each model's metrics against the exact retrain without the same chapters; then means over
seeds and MUSE's criteria per point (VerbMem <= the retrain's is not available per point: the retrain's own row is not
evaluated in the sweeps, so the criteria are PrivLeak within +-5 % and retain loss <= 1.2 x the target's).
Usage: scripts/muse_sweeps_table.py FILE.json[,FILE.json…] [PLOT_DIR]
Several files (comma-separated: runs of other seeds or methods) are merged; a row present in two files (the same seed,
sweep, size and model — e.g. the target, evaluated by every run of a seed) must be identical, and is kept once."""
import json, os, sys
from collections import defaultdict
sys.path.insert(0, os.path.dirname(__file__))
from svg_lines import line_chart

rows, seen = [], {}
for path in sys.argv[1].split(","):
    for r in json.load(open(path)):
        key = (int(r["seed"]), r["sweep"], int(r["forget_chapters"]), r["model"])
        if key in seen:
            if seen[key] != r["report"]:
                sys.exit(f"{path}: {key} differs from an earlier file's row: the runs are not of the same models")
            continue
        seen[key] = r["report"]
        rows.append(r)
plot_dir = sys.argv[2] if len(sys.argv) > 2 else None
by = defaultdict(list)
for r in rows:
    by[(r["sweep"], r["model"], int(r["forget_chapters"]))].append((int(r["seed"]), r["report"]))
target_utility = {int(r["seed"]): r["report"]["utility_loss"] for r in rows if r["model"] == "target"}
def f(v, d=2):
    return "–" if v is None else f"{v:.{d}f}"
def mean(xs):
    return sum(xs) / len(xs) if xs else None
def values(rs, metric):
    """The metric's values over (seed, report) pairs, skipping reports that lack it."""
    return [r[metric] for _, r in rs if r.get(metric) is not None]
# MUSE's criteria at one point: PrivLeak within ±5 %; retain loss at most 1.2 × the same seed's target.
def privleak_ok(r):
    return r.get("privleak") is not None and -5 <= r["privleak"] <= 5
def utility_ok(seed, r):
    return r.get("utility_loss") is not None and r["utility_loss"] <= 1.2 * target_utility.get(seed, float("inf"))
print("| sweep | model | chapters | seed | VerbMem_f | MIA AUC | PrivLeak % | retain loss |")
print("|---|---|---|---|---|---|---|---|")
for key in sorted(by):
    for seed, r in sorted(by[key]):
        print(f"| {key[0]} | {key[1]} | {key[2]} | {seed} | {f(r.get('verbmem_forget'))} | {f(r.get('mia_auc'), 3)} | {f(r.get('privleak'), 1)} | {f(r.get('utility_loss'), 3)} |")
print()
print("| sweep | model | chapters | mean VerbMem_f | mean PrivLeak % (per seed) | mean retain loss | PrivLeak in ±5 % | retain loss ≤ 1.2 × target |")
print("|---|---|---|---|---|---|---|---|")
curves = defaultdict(lambda: defaultdict(list))
for key in sorted(by):
    rs = sorted(by[key])
    vm, pl, ul = values(rs, "verbmem_forget"), values(rs, "privleak"), values(rs, "utility_loss")
    ok_p = sum(1 for _, r in rs if privleak_ok(r))
    ok_u = sum(1 for s, r in rs if utility_ok(s, r))
    print(f"| {key[0]} | {key[1]} | {key[2]} | {f(mean(vm))} | {f(mean(pl), 1)} ({', '.join(f(p, 0) for p in pl)}) | {f(mean(ul), 3)} | {ok_p} of {len(pl)} | {ok_u} of {len(rs)} |")
    for metric, xs in (("verbmem_forget", vm), ("privleak", pl), ("utility_loss", ul)):
        curves[(key[0], metric)][key[1]].append((key[2], mean(xs)))
print()
# One row per model and sweep: each size's mean PrivLeak with its per-seed range, each size's mean retain loss, and how
# many (size, seed) points meet each criterion.
print("| sweep | model | PrivLeak % at each size: mean [min, max over seeds] | retain loss at each size (mean) | seeds | PrivLeak in ±5 % | retain loss ≤ 1.2 × target |")
print("|---|---|---|---|---|---|---|")
for sweep, model in sorted({(k[0], k[1]) for k in by}):
    sizes = sorted(k[2] for k in by if k[:2] == (sweep, model))
    points = [(seed, r) for size in sizes for seed, r in by[(sweep, model, size)]]
    cells_p, cells_u = [], []
    for size in sizes:
        pl, ul = values(by[(sweep, model, size)], "privleak"), values(by[(sweep, model, size)], "utility_loss")
        cells_p.append(f"{size}: {mean(pl):+.0f} [{min(pl):+.0f}, {max(pl):+.0f}]" if pl else f"{size}: –")
        cells_u.append(f(mean(ul)))
    ok_p = sum(1 for _, r in points if privleak_ok(r))
    ok_u = sum(1 for seed, r in points if utility_ok(seed, r))
    seeds = sorted({seed for seed, _ in points})
    print(f"| {sweep} | {model} | {'; '.join(cells_p)} | {' / '.join(cells_u)} | {','.join(map(str, seeds))} | {ok_p} of {len(points)} | {ok_u} of {len(points)} |")
if plot_dir:
    os.makedirs(plot_dir, exist_ok=True)
    labels = {"verbmem_forget": "VerbMem on forget (ROUGE-L F1 x 100)", "privleak": "PrivLeak (%)", "utility_loss": "retain loss (nats/token, log scale)"}
    for (sweep, metric), models in curves.items():
        series = [(m, [x for x, _ in sorted(pts)], [y for _, y in sorted(pts)]) for m, pts in sorted(models.items())]
        xlabel = "forget chapters" if sweep == "scalability" else "chapters forgotten so far (one request per point)"
        line_chart(f"{sweep}: {labels[metric]} (mean of seeds)", xlabel, labels[metric], series,
                   os.path.join(plot_dir, f"{sweep}-{metric}.svg"), logy=metric == "utility_loss")
