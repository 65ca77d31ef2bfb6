#!/usr/bin/env python3
"""Where ADO's first refit fell, against the plateau of the training loss (docs/results.md, issue 18).

usage: ado_first_refit.py SUMMARY.json [SUMMARY.json ...] --loss-plots 'DIR/natural-seed*-loss.svg'

Per ADO run of the summaries (PretrainExperiment output): the first step at which the mixture left μ, and the
number of refits. Per loss plot (the SVG the experiment writes, training loss per domain every metrics step): the
mean training loss over the domains, as a 50-step centred moving average, every 50 steps to step 1000 — where it is
flat is the plateau. The SVG is read back by its axis scale (x: 0…total steps over 64…558 px, y: 0…6 nats over
372…36 px), which is how PretrainExperiment draws it.
"""
import argparse, glob, json, re

ap = argparse.ArgumentParser()
ap.add_argument("summaries", nargs="+")
ap.add_argument("--loss-plots", default="")
ap.add_argument("--steps", type=int, default=3000)
a = ap.parse_args()

for f in a.summaries:
    for r in json.load(open(f)):
        if r["kind"] != "ado":
            continue
        t = r["trajectory"]; w0 = t[0]["weights"]
        first = next((p["step"] for p in t if any(abs(p["weights"][d] - w0[d]) > 1e-9 for d in w0)), None)
        print(f"{f}: ado seed {int(r['seed'])}: first move at step {first}, {r['ado_refits']} refits")

for path in sorted(glob.glob(a.loss_plots)) if a.loss_plots else []:
    s = open(path).read()
    names = re.findall(r'<text x="590" y="\d+">([^<]+)</text>', s)
    polys = re.findall(r'<polyline points="([^"]+)"', s)
    curves = []
    for n, p in zip(names, polys):
        if n.endswith(" train"):
            pts = [tuple(map(float, q.split(","))) for q in p.split()]
            curves.append({round((x - 64) * a.steps / 494): (372 - y) / 56 for x, y in pts})
    steps = sorted(set.intersection(*[set(c) for c in curves]))
    mean = {t: sum(c[t] for c in curves) / len(curves) for t in steps}
    def moving(t):
        w = [mean[u] for u in steps if abs(u - t) <= 25]
        return sum(w) / len(w)
    print(path.split("/")[-1] + ": " + " ".join(f"{t}:{moving(t):.2f}" for t in range(50, 1001, 50)))
