#!/usr/bin/env python3
"""Markdown tables for docs/results.md from docs/results/pretrain/summary-seeds*.json (PretrainExperiment)."""
import glob, json, statistics, sys

rows = []
for f in sorted(glob.glob(sys.argv[1] if len(sys.argv) > 1 else "docs/results/pretrain/summary-seeds*.json")):
    rows += json.load(open(f))
kinds = [k for k in ("natural", "uniform", "ado") if any(r["kind"] == k for r in rows)]
domains = sorted(rows[0]["heldout_loss_by_domain"].keys())
def ms(xs):
    return f"{statistics.mean(xs):.4f} ± {statistics.stdev(xs):.4f}" if len(xs) > 1 else f"{xs[0]:.4f}"
# μ = the natural mixture (every strategy's prior), read from a natural run's weights.
mu = next((r["trajectory"][0]["weights"] for r in rows if r["kind"] == "natural"), None)
def mu_weighted(r):
    return sum(mu[d] * r["heldout_loss_by_domain"][d] for d in domains) / sum(mu[d] for d in domains)
print("| strategy | seeds | mean held-out loss (nats/byte) | " + ("μ-weighted | " if mu else "") + " | ".join(domains) + " |")
print("|---|---|---|" + ("---|" if mu else "") + "---|" * len(domains))
for k in kinds:
    rs = [r for r in rows if r["kind"] == k]
    print(f"| {k} | {len(rs)} | {ms([r['heldout_loss'] for r in rs])} | " +
          (f"{ms([mu_weighted(r) for r in rs])} | " if mu else "") +
          " | ".join(ms([r['heldout_loss_by_domain'][d] for r in rs]) for d in domains) + " |")
print()
print("Per seed, mean held-out loss:")
print()
print("| seed | " + " | ".join(kinds) + " |")
print("|---|" + "---|" * len(kinds))
for s in sorted({int(r["seed"]) for r in rows}):
    print(f"| {s} | " + " | ".join(f"{next(r['heldout_loss'] for r in rows if r['kind'] == k and int(r['seed']) == s):.4f}"
                                   if any(r['kind'] == k and int(r['seed']) == s for r in rows) else "—" for k in kinds) + " |")
print()
print("Mixture weights (mean over seeds) at the start, middle and end of the run:")
print()
print("| strategy | step | " + " | ".join(domains) + " |")
print("|---|---|" + "---|" * len(domains))
for k in kinds:
    rs = [r for r in rows if r["kind"] == k]
    traj = rs[0]["trajectory"]
    for idx in (0, len(traj) // 2, len(traj) - 1):
        step = traj[idx]["step"]
        ws = [next(t for t in r["trajectory"] if t["step"] == step)["weights"] for r in rs]
        print(f"| {k} | {step} | " + " | ".join(f"{statistics.mean(w[d] for w in ws):.3f}" for d in domains) + " |")
print()
print("| strategy | seed | wall s | train s | mixture s | mixture / (train + mixture) | ADO refits |")
print("|---|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r['kind']} | {int(r['seed'])} | {r['wall_seconds']:.0f} | {r['train_seconds']:.1f} | {r['mixture_seconds']:.3f} | "
          f"{100 * r['mixture_overhead_fraction']:.3f} % | {int(r['ado_refits'])} |")
ado = [r for r in rows if r["kind"] == "ado" and r.get("laws")]
if ado:
    print()
    print("ADO's last fitted laws (seed " + str(int(ado[0]["seed"])) + "):")
    print()
    print("| domain | ε | β | α |")
    print("|---|---|---|---|")
    for d in domains:
        l = ado[0]["laws"][d]
        print(f"| {d} | {l['epsilon']:.3f} | {l['beta']:.3f} | {l['alpha']:.3f} |")
