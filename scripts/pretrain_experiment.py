#!/usr/bin/env python3
"""ADO vs natural vs uniform on >= 6 real text domains, 3 seeds, equal token budget (docs/results.md).

Runs every job through a real `orchard serve` (one worker, so runs do not compete for the CPU):
  1. orchard corpus prepare --offline (small caps) -> DIR/train.jsonl, DIR/heldout.jsonl
  2. orchard serve on a loopback port; an API key; both files uploaded as datasets
  3. 3 seeds x {natural, uniform, ado}: submit `pretrain`, wait, collect the result and the plots
  4. writes OUT/summary.json, OUT/*.svg and prints the markdown tables for docs/results.md

Usage: scripts/pretrain_experiment.py --orchard .build/debug/orchard --out docs/results/pretrain [--steps 300]
"""
import argparse, json, os, statistics, subprocess, sys, time, urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("--orchard", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--work", default="/tmp/orchard-pretrain-experiment")
ap.add_argument("--domains", default="licenses,copyright,python,c-headers,changelogs,descriptions")
ap.add_argument("--cap-bytes", type=int, default=400_000)
ap.add_argument("--steps", type=int, default=300)
ap.add_argument("--seeds", default="1,2,3")
ap.add_argument("--strategies", default="natural,uniform,ado")
ap.add_argument("--port", type=int, default=18931)
ap.add_argument("--threads", type=int, default=2)
a = ap.parse_args()
os.makedirs(a.out, exist_ok=True)
os.makedirs(a.work, exist_ok=True)
corpus = os.path.join(a.work, "corpus")

def sh(*args):
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args)} failed: {r.stderr}")
    return r.stdout

t0 = time.time()
print(sh(a.orchard, "corpus", "prepare", "--out", corpus, "--offline", "--domains", a.domains,
         "--cap-bytes", str(a.cap_bytes)), file=sys.stderr)
data = os.path.join(a.work, "data")
subprocess.run(["rm", "-rf", data])
key = sh(a.orchard, "keys", "create", "--tenant", "exp", "--data-dir", data).strip().splitlines()[-1]
server = subprocess.Popen([a.orchard, "serve", "--host", "127.0.0.1", "--port", str(a.port), "--data-dir", data,
                           "--workers", "1", "--threads-per-job", str(a.threads)],
                          stdout=subprocess.DEVNULL, stderr=open(os.path.join(a.work, "server.log"), "w"))
base = f"http://127.0.0.1:{a.port}"

def call(method, path, body=None, raw=False, ctype="application/json"):
    req = urllib.request.Request(base + path, method=method, data=body,
                                 headers={"Authorization": f"Bearer {key}", "Content-Type": ctype})
    with urllib.request.urlopen(req, timeout=600) as r:
        b = r.read()
        return b if raw else json.loads(b)

try:
    for _ in range(200):
        try:
            call("GET", "/v1/jobs?limit=1"); break
        except Exception:
            time.sleep(0.2)
    train = call("POST", "/v1/datasets?name=train", open(os.path.join(corpus, "train.jsonl"), "rb").read(), ctype="application/x-ndjson")
    held = call("POST", "/v1/datasets?name=heldout", open(os.path.join(corpus, "heldout.jsonl"), "rb").read(), ctype="application/x-ndjson")
    base_params = {
        "dataset": train["id"], "heldout_dataset": held["id"],
        "model": {"layers": 2, "d_model": 64, "heads": 2, "context": 64, "vocab": "bytes"},
        "optimizer": {"lr": 3e-3, "warmup": 20, "schedule": "cosine"},
        "batch_size": 16, "steps": a.steps, "metrics_every": 10, "eval_every": max(1, a.steps // 10),
        "heldout_windows": 32, "checkpoint_every": a.steps,
    }
    results = []
    for seed in [int(s) for s in a.seeds.split(",")]:
        for kind in a.strategies.split(","):
            p = dict(base_params, mixture={"kind": kind})
            job = call("POST", "/v1/jobs", json.dumps({"type": "pretrain", "params": p, "seed": seed}).encode())
            started = time.time()
            while True:
                j = call("GET", f"/v1/jobs/{job['id']}")
                if j["status"] in ("succeeded", "failed", "cancelled"): break
                time.sleep(1)
            if j["status"] != "succeeded":
                sys.exit(f"job {job['id']} {j['status']}: {j.get('error')}")
            r = j["result"]
            for name in ("loss", "mixture"):
                open(os.path.join(a.out, f"{kind}-seed{seed}-{name}.svg"), "wb").write(
                    call("GET", f"/v1/jobs/{job['id']}/plots/{name}.svg", raw=True))
            events, after = [], 0
            while True:
                page = call("GET", f"/v1/jobs/{job['id']}/events?after={after}&limit=1000")
                events += page["data"]
                if not page["has_more"]: break
                after = page["data"][-1]["id"]
            traj = [(e["data"]["step"], e["data"]["weights"]) for e in events if e["type"] == "metrics"]
            results.append({"seed": seed, "kind": kind, "job": job["id"], "wall_seconds": time.time() - started,
                            "heldout_loss": r.get("heldout_loss"), "heldout_loss_by_domain": r.get("heldout_loss_by_domain"),
                            "final_weights": r["final_weights"], "mixture_overhead_fraction": r["mixture_overhead_fraction"],
                            "train_seconds": r["train_seconds"], "mixture_seconds": r["mixture_seconds"],
                            "ado_refits": r["ado_refits"], "laws": r.get("laws"), "trajectory": traj,
                            "params": j["params"]})
            print(f"seed {seed} {kind}: held-out {r.get('heldout_loss'):.4f} in {time.time() - started:.0f}s", file=sys.stderr)
    json.dump({"results": results, "total_seconds": time.time() - t0, "corpus_manifest": json.load(open(os.path.join(corpus, "manifest.json")))["domains"] if os.path.exists(os.path.join(corpus, "manifest.json")) else None},
              open(os.path.join(a.out, "summary.json"), "w"), indent=1, sort_keys=True)
finally:
    server.terminate(); server.wait()

kinds = a.strategies.split(",")
domains = sorted(results[0]["heldout_loss_by_domain"].keys())
def ms(xs): return f"{statistics.mean(xs):.4f} ± {statistics.stdev(xs):.4f}" if len(xs) > 1 else f"{xs[0]:.4f}"
print("| strategy | mean held-out loss (nats/byte, 3 seeds) | " + " | ".join(domains) + " |")
print("|---|---|" + "---|" * len(domains))
for k in kinds:
    rs = [r for r in results if r["kind"] == k]
    print(f"| {k} | {ms([r['heldout_loss'] for r in rs])} | " +
          " | ".join(f"{statistics.mean(r['heldout_loss_by_domain'][d] for r in rs):.4f}" for d in domains) + " |")
print()
print("| strategy | final weights (mean over seeds) " + "| " * (len(domains) - 1) + "|")
print("|---|" + "---|" * len(domains))
print("| | " + " | ".join(domains) + " |")
for k in kinds:
    rs = [r for r in results if r["kind"] == k]
    print(f"| {k} | " + " | ".join(f"{statistics.mean(r['final_weights'][d] for r in rs):.3f}" for d in domains) + " |")
ado = [r for r in results if r["kind"] == "ado"]
if ado:
    print()
    print(f"ADO mixture overhead (sampling + ADO update/refits) / step time: " +
          ", ".join(f"{r['mixture_overhead_fraction'] * 100:.3f}%" for r in ado))
    nat = [r for r in results if r["kind"] == "natural"]
    print(f"natural mixture overhead: " + ", ".join(f"{r['mixture_overhead_fraction'] * 100:.3f}%" for r in nat))
print(f"total {time.time() - t0:.0f}s", file=sys.stderr)
