#!/usr/bin/env python3
"""Tables and plots of the sparse-parity distillation experiment (DistillationExperiment/sparseParity JSON): the
teacher's transition and curriculum probe (spec §6.4 checks 5-6), and per strategy the samples each student needed to
reach the target accuracy, with per-seed ratios to one-shot and to labels-only (check 7).
Usage: scripts/distill_parity_table.py FILE.json [PLOT_DIR]"""
import json, os, sys
sys.path.insert(0, os.path.dirname(__file__))
from svg_lines import line_chart

rows = json.load(open(sys.argv[1]))
plot_dir = sys.argv[2] if len(sys.argv) > 2 else None
order = ["none", "one_shot", "progressive", "two_shot"]
print("| seed | teacher: plateau end → ≥95 % (steps) | s_mid | probe at s_mid: in / off / floor | probe at final: in / off | final acc |")
print("|---|---|---|---|---|---|")
for r in rows:
    m = r["teacher_metrics"]
    mid = r.get("s_mid")
    at = lambda s: next((x for x in m if x["step"] == s), None)
    pm, pf = at(mid) if mid else None, m[-1]
    t = r["teacher"]
    fmt = lambda x: f"{x['probe_in_support']:.4f} / {x['probe_off_support']:.4f} / {x['probe_noise_floor']:.4f}" if x else "–"
    print(f"| {r['seed']} | {t.get('transition_start')} → {t.get('transition_end')} | {mid} | {fmt(pm)} | "
          f"{pf['probe_in_support']:.4f} / {pf['probe_off_support']:.4f} | {t['test_accuracy']:.3f} |")
print()
print("| seed | " + " | ".join(f"{s}: steps to target" for s in order) + " | progressive / one-shot | two-shot / one-shot | progressive / none |")
print("|---|" + "---|" * (len(order) + 3))
for r in rows:
    st = r["students"]
    reach = {s: st[s]["result"].get("reached_target_at_step") if s in st else None for s in order}
    steps = {s: st[s]["result"]["steps"] if s in st else None for s in order}
    def cell(s):
        v = reach[s]
        return "–" if s not in st else (f"{v}" if v is not None else f"> {steps[s]} (cap)")
    def ratio(a, b):
        if reach.get(a) is None or reach.get(b) is None:
            return "–"
        return f"{reach[a] / reach[b]:.2f}"
    print(f"| {r['seed']} | " + " | ".join(cell(s) for s in order) + f" | {ratio('progressive', 'one_shot')} | {ratio('two_shot', 'one_shot')} | {ratio('progressive', 'none')} |")
if plot_dir:
    os.makedirs(plot_dir, exist_ok=True)
    for r in rows:
        series = []
        for s in order:
            if s in r["students"]:
                ms = r["students"][s]["metrics"]
                series.append((s, [x["step"] for x in ms], [x["test_accuracy"] for x in ms]))
        tm = r["teacher_metrics"]
        series.append(("teacher", [x["step"] for x in tm], [x["test_accuracy"] for x in tm]))
        line_chart(f"seed {r['seed']}: test accuracy of students and teacher", "step (batch 32)", "test accuracy", series,
                   os.path.join(plot_dir, f"parity-seed{r['seed']}-accuracy.svg"))
        line_chart(f"seed {r['seed']}: teacher's degree-1 probe", "teacher step", "|E[x_i p1(x)]|",
                   [("in support", [x["step"] for x in tm], [x["probe_in_support"] for x in tm]),
                    ("off support", [x["step"] for x in tm], [x["probe_off_support"] for x in tm]),
                    ("noise floor", [x["step"] for x in tm], [x["probe_noise_floor"] for x in tm])],
                   os.path.join(plot_dir, f"parity-seed{r['seed']}-probe.svg"))
