#!/usr/bin/env python3
"""Markdown tables for docs/results.md from PretrainExperiment summaries (summary-seeds*.json).

usage: pretrain_results_table.py 'GLOB' [--exclude DOMAIN,...] [--baseline KIND]

Prints: mean ± sd per strategy; per-seed mean held-out loss; per-seed paired differences of every strategy
against the baseline (default natural) and of ado against ado_final; per-seed final weights; tokens and cost.
"--exclude" leaves domains out of the "mean" (e.g. the random-bytes control domain), never out of the per-domain
columns.
"""
import argparse, glob, json, statistics

ap = argparse.ArgumentParser()
ap.add_argument("pattern")
ap.add_argument("--exclude", default="")
ap.add_argument("--baseline", default="natural")
a = ap.parse_args()
rows = []
for f in sorted(glob.glob(a.pattern)):
    rows += json.load(open(f))
order = ["natural", "uniform", "ado", "ado_final"]
kinds = [k for k in order if any(r["kind"] == k for r in rows)] + sorted({r["kind"] for r in rows} - set(order))
domains = sorted(rows[0]["heldout_loss_by_domain"].keys())
excluded = {d for d in a.exclude.split(",") if d}
scored = [d for d in domains if d not in excluded]
seeds = sorted({int(r["seed"]) for r in rows})
label = "mean held-out loss" + (f" (without {', '.join(sorted(excluded))})" if excluded else "")

def run(k, s):
    return next((r for r in rows if r["kind"] == k and int(r["seed"]) == s), None)

def mean_loss(r):
    return statistics.mean(r["heldout_loss_by_domain"][d] for d in scored)

def ms(xs):
    return f"{statistics.mean(xs):.4f} ± {statistics.stdev(xs):.4f}" if len(xs) > 1 else f"{xs[0]:.4f}"

print(f"| strategy | seeds | {label} | " + " | ".join(domains) + " |")
print("|---|---|---|" + "---|" * len(domains))
for k in kinds:
    rs = [r for r in rows if r["kind"] == k]
    print(f"| {k} | {len(rs)} | {ms([mean_loss(r) for r in rs])} | " +
          " | ".join(ms([r["heldout_loss_by_domain"][d] for r in rs]) for d in domains) + " |")
print()
print(f"Per seed, {label}:")
print()
print("| seed | " + " | ".join(kinds) + " |")
print("|---|" + "---|" * len(kinds))
for s in seeds:
    print(f"| {s} | " + " | ".join(f"{mean_loss(run(k, s)):.4f}" if run(k, s) else "—" for k in kinds) + " |")
print()
pairs = [(k, a.baseline) for k in kinds if k != a.baseline] + ([("ado", "ado_final")] if "ado" in kinds and "ado_final" in kinds else [])
print(f"Paired per-seed differences of the {label} (negative: the first is better):")
print()
print("| comparison | " + " | ".join(f"seed {s}" for s in seeds) + " | mean | better on |")
print("|---|" + "---|" * len(seeds) + "---|---|")
for x, y in pairs:
    ds = [mean_loss(run(x, s)) - mean_loss(run(y, s)) for s in seeds if run(x, s) and run(y, s)]
    print(f"| {x} − {y} | " + " | ".join(f"{d:+.4f}" for d in ds) + f" | {statistics.mean(ds):+.4f} | {sum(d < 0 for d in ds)} of {len(ds)} seeds |")
print()
print("Final weights per seed (the mixture in force at the last step):")
print()
print("| strategy | seed | " + " | ".join(domains) + " |")
print("|---|---|" + "---|" * len(domains))
for k in kinds:
    for s in seeds:
        r = run(k, s)
        if r:
            w = r["final_weights"]
            print(f"| {k} | {s} | " + " | ".join(f"{w[d]:.3f}" for d in domains) + " |")
print()
print("| strategy | seed | tokens | wall s | mixture / (train + mixture) | ADO refits |")
print("|---|---|---|---|---|---|")
for k in kinds:
    for s in seeds:
        r = run(k, s)
        if r:
            print(f"| {k} | {s} | {int(r['tokens'])} | {r['wall_seconds']:.0f} | {100 * r['mixture_overhead_fraction']:.3f} % | {int(r['ado_refits'])} |")
