#!/usr/bin/env python3
"""Bounded load test of a running Orchard server (issue 19 item 11). Standard library only.

N client threads (default 50) loop for DURATION seconds over a weighted mix of requests:
  GET /v1/jobs/{id} (the training job)      30 %      GET /v1/jobs?limit=20                 15 %
  GET /v1/jobs/{id}/events?after=K          10 %      GET /v1/jobs/{id}/events/stream (SSE,  8 %
  POST /v1/jobs (a pretrain job, queued      10 %          read 1-3 s then closed)
      behind the training one, cancelled)             POST /v1/datasets (a ~20 KB upload)     5 %
  GET /v1/datasets, GET /v1/datasets/{id}   12 %      GET /v1/jobs/{id}/checkpoints          10 %
while one `pretrain` job trains. It then cancels what it queued, and prints (and writes as JSON with --out): requests
and errors per route (an error is a 5xx, a connection failure, or any status the route does not document for these
requests), p50/p90/p99 latency per route, and the server's RSS and open file descriptors at start and end (from
/proc/PID, so run it on the server's machine).

  load_test.py --url http://127.0.0.1:8080 --key ork_... --pid PID --job job_... --dataset ds_... [--duration 300]
"""
import argparse, http.client, json, os, random, statistics, sys, threading, time, urllib.parse

ap = argparse.ArgumentParser()
ap.add_argument("--url", required=True)
ap.add_argument("--key", required=True)
ap.add_argument("--pid", type=int, required=True)
ap.add_argument("--job", required=True, help="the job that trains during the test")
ap.add_argument("--dataset", required=True, help="a documents dataset the submitted jobs name")
ap.add_argument("--clients", type=int, default=50)
ap.add_argument("--duration", type=float, default=300)
ap.add_argument("--out")
args = ap.parse_args()

url = urllib.parse.urlparse(args.url)
AUTH = {"Authorization": f"Bearer {args.key}"}
# Statuses a route may answer to these requests besides 2xx (none expected without limits; 429 if configured).
DOCUMENTED = {"POST /v1/jobs": {429}, "POST /v1/datasets": {413, 429}}

lock = threading.Lock()
latency = {}      # route -> [seconds]
errors = {}       # route -> {status or exception name: count}
statuses = {}     # route -> {status: count}
submitted = []
deadline = 0.0


def record(route, status, seconds):
    with lock:
        latency.setdefault(route, []).append(seconds)
        statuses.setdefault(route, {}).setdefault(str(status), 0)
        statuses[route][str(status)] += 1
        ok = isinstance(status, int) and (200 <= status < 300 or status in DOCUMENTED.get(route, ()))
        if not ok:
            errors.setdefault(route, {}).setdefault(str(status), 0)
            errors[route][str(status)] += 1


def request(conn, method, path, body=None, headers=None, route=None):
    h = dict(AUTH)
    if headers:
        h.update(headers)
    t0 = time.perf_counter()
    try:
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        record(route or f"{method} {path}", r.status, time.perf_counter() - t0)
        return r.status, data
    except Exception as e:  # a dropped connection is an error of the route
        record(route or f"{method} {path}", type(e).__name__, time.perf_counter() - t0)
        conn.close()
        return None, b""


def stream(route):
    """Opens the SSE stream of the training job, reads for 1-3 s, closes. Latency = time to the first event."""
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    t0 = time.perf_counter()
    try:
        conn.request("GET", f"/v1/jobs/{args.job}/events/stream", headers=dict(AUTH, Accept="text/event-stream"))
        r = conn.getresponse()
        first = None
        until = time.time() + random.uniform(1, 3)
        while True:
            left = until - time.time()
            if left <= 0:
                break
            conn.sock.settimeout(left)   # an idle stream sends only a keep-alive every 15 s: stop reading on time
            try:
                line = r.fp.readline()
            except TimeoutError:
                break
            if not line:
                break
            if first is None and line.startswith(b"id:"):
                first = time.perf_counter() - t0
        record(route, r.status if first is not None else "no event", first if first is not None else time.perf_counter() - t0)
    except Exception as e:
        record(route, type(e).__name__, time.perf_counter() - t0)
    finally:
        conn.close()


def upload_body(n):
    rng = random.Random(n)
    words = ["alpha", "beta", "gamma", "delta", "river", "stone", "light", "orchard", "apple", "wind"]
    lines = [json.dumps({"id": f"u{n}-{i}", "domain": f"d{i % 3}", "text": " ".join(rng.choice(words) for _ in range(300))})
             for i in range(10)]
    return "\n".join(lines).encode()


def client(index):
    rng = random.Random(index)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    n = 0
    while time.time() < deadline:
        n += 1
        x = rng.random()
        if x < 0.30:
            request(conn, "GET", f"/v1/jobs/{args.job}", route="GET /v1/jobs/{id}")
        elif x < 0.45:
            request(conn, "GET", "/v1/jobs?limit=20", route="GET /v1/jobs")
        elif x < 0.55:
            request(conn, "GET", f"/v1/jobs/{args.job}/events?after={rng.randint(0, 50)}&limit=50", route="GET /v1/jobs/{id}/events")
        elif x < 0.63:
            stream("GET /v1/jobs/{id}/events/stream (SSE)")
        elif x < 0.73:
            body = json.dumps({"type": "pretrain", "priority": 9, "metadata": {"load_test": "1"},
                               "params": {"dataset": args.dataset, "steps": 5,
                                          "model": {"layers": 1, "d_model": 16, "heads": 1, "context": 16}}})
            status, data = request(conn, "POST", "/v1/jobs", body, {"Content-Type": "application/json"}, route="POST /v1/jobs")
            if status == 201:
                with lock:
                    submitted.append(json.loads(data)["id"])
        elif x < 0.78:
            request(conn, "POST", f"/v1/datasets?name=load-{index}-{n}", upload_body(index * 100000 + n),
                    {"Content-Type": "application/x-ndjson"}, route="POST /v1/datasets")
        elif x < 0.84:
            request(conn, "GET", "/v1/datasets?limit=20", route="GET /v1/datasets")
        elif x < 0.90:
            request(conn, "GET", f"/v1/datasets/{args.dataset}", route="GET /v1/datasets/{id}")
        else:
            request(conn, "GET", f"/v1/jobs/{args.job}/checkpoints", route="GET /v1/jobs/{id}/checkpoints")
    conn.close()


def proc_sample(pid):
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
    return {"rss_mib": round(rss / 1024, 1), "open_fds": len(os.listdir(f"/proc/{pid}/fd"))}


def quantile(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


start = proc_sample(args.pid)
deadline = time.time() + args.duration
t0 = time.time()
threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.time() - t0
# Cancel what the test queued (they waited behind the training job), then let the server settle before sampling: an
# SSE stream whose client went away is closed at its next write (a keep-alive comes every 15 s).
cleanup = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
for job in submitted:
    request(cleanup, "POST", f"/v1/jobs/{job}/cancel", b"", route="POST /v1/jobs/{id}/cancel (cleanup)")
time.sleep(20)
end = proc_sample(args.pid)

report = {"clients": args.clients, "seconds": round(elapsed, 1), "start": start, "end": end, "routes": {}}
print(f"{args.clients} clients, {elapsed:.0f} s; server RSS {start['rss_mib']} -> {end['rss_mib']} MiB, "
      f"open fds {start['open_fds']} -> {end['open_fds']}")
print(f"{'route':48} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8}  statuses")
total_errors = 0
for route in sorted(latency):
    xs = latency[route]
    errs = sum(errors.get(route, {}).values())
    total_errors += errs
    row = {"requests": len(xs), "errors": errs, "error_kinds": errors.get(route, {}), "statuses": statuses[route],
           "p50_ms": round(1000 * quantile(xs, 0.50), 2), "p90_ms": round(1000 * quantile(xs, 0.90), 2),
           "p99_ms": round(1000 * quantile(xs, 0.99), 2)}
    report["routes"][route] = row
    print(f"{route:48} {row['requests']:>8} {errs:>6} {row['p50_ms']:>8} {row['p90_ms']:>8} {row['p99_ms']:>8}  {statuses[route]}")
report["errors"] = total_errors
print(f"errors (5xx, connection failures, undocumented statuses): {total_errors}")
if args.out:
    with open(args.out, "w") as f:
        json.dump(report, f, indent=2, sort_keys=True)
sys.exit(1 if total_errors else 0)
