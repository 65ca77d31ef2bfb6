#!/usr/bin/env bash
# Service benchmarks reported in docs/performance.md. Needs a release build of the test server
# (it adds the CPU-bound `test_spin` job type):
#   swift build -c release --scratch-path .build-release --product orchard-testserver
#   benchmarks/service/run.sh
# Prints: wrk on /healthz (framework anchor) and GET /v1/jobs/{id} (idle), p99 latency of
# GET /v1/jobs/{id} while a job keeps both cores busy, and queue throughput through the store.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build-release/release/orchard-testserver}
DURATION=${DURATION:-10s}
DIR=$(mktemp -d /tmp/orchard-bench.XXXXXX)
trap 'kill $PID 2>/dev/null || true; rm -rf "$DIR"' EXIT

KEY=$("$BIN" keys create --tenant bench --data-dir "$DIR" | tail -1)
"$BIN" serve --port 0 --data-dir "$DIR" --workers 1 --threads-per-job 2 --log-level warning 2> "$DIR/log" &
PID=$!
# --log-level warning hides the listening line; find the port from the socket instead.
for _ in $(seq 1 100); do
  PORT=$(ss -ltnp 2>/dev/null | grep "pid=$PID," | sed -E 's/.*127\.0\.0\.1:([0-9]+).*/\1/' | head -1 || true)
  [ -n "${PORT:-}" ] && break; sleep 0.1
done
URL="http://127.0.0.1:$PORT"
AUTH="Authorization: Bearer $KEY"
post() { curl -s -X POST "$URL/v1/jobs" -H "$AUTH" -d "$1" | sed -E 's/.*"id":"(job_[0-9a-f]+)".*/\1/'; }

JOB=$(post '{"type":"test_counter","params":{"steps":1}}')
sleep 1
echo "== wrk -t2 -c64 -d$DURATION GET /healthz (framework anchor, no auth, no database)"
wrk -t2 -c64 -d"$DURATION" "$URL/healthz" | grep -E "Requests/sec|Latency"
echo "== wrk -t2 -c64 -d$DURATION GET /v1/jobs/$JOB (auth + SQLite read + JSON)"
wrk -t2 -c64 -d"$DURATION" -H "$AUTH" "$URL/v1/jobs/$JOB" | grep -E "Requests/sec|Latency|Non-2xx"

SPIN=$(post '{"type":"test_spin","params":{"seconds":40}}')
for _ in $(seq 1 100); do curl -s "$URL/v1/jobs/$SPIN" -H "$AUTH" | grep -q '"status":"running"' && break; sleep 0.1; done
echo "== during a CPU-bound job on both cores: wrk -t1 -c4 -d$DURATION --latency GET /v1/jobs/$JOB"
top -bn1 | grep -E "orchard-testserver|^%Cpu" | head -3 || true
wrk -t1 -c4 -d"$DURATION" --latency -H "$AUTH" "$URL/v1/jobs/$JOB" | grep -E "Requests/sec|Latency|50%|90%|99%"
echo "== same, wrk -t2 -c64"
wrk -t2 -c64 -d"$DURATION" --latency -H "$AUTH" "$URL/v1/jobs/$JOB" | grep -E "Requests/sec|Latency|50%|90%|99%"
curl -s -X POST "$URL/v1/jobs/$SPIN/cancel" -H "$AUTH" > /dev/null

echo "== queue throughput through the store (enqueue -> claim -> complete)"
"$BIN" bench queue --jobs 20000 --workers 2
