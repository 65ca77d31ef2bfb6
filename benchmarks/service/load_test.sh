#!/usr/bin/env bash
# Bounded load test (issue 19 item 11): a fresh server on loopback with one worker, a `pretrain` job training for the
# whole test, and 50 clients mixing submits, gets, lists, event pages, SSE streams and uploads for DURATION seconds
# (default 300); then the job is cancelled and the server stopped. Prints per-route requests, errors and p50/p90/p99,
# and the server's RSS and open file descriptors at start and end (benchmarks/service/load_test.py).
#   BIN=.build-release/release/orchard benchmarks/service/load_test.sh      # or the debug build; DURATION=60 for a short run
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/debug/orchard}
DURATION=${DURATION:-300}
CLIENTS=${CLIENTS:-50}
DIR=$(mktemp -d /tmp/orchard-load.XXXXXX)
trap 'kill $PID 2>/dev/null || true; rm -rf "$DIR"' EXIT

source benchmarks/service/fresh_server.sh
start_server load --workers 1
AUTH="Authorization: Bearer $KEY"
python3 - "$DIR/train.jsonl" <<'PY'
import json, random, sys
rng = random.Random(3)
words = [w.strip() for w in open("/usr/share/common-licenses/GPL-3").read().split() if w.strip()]
with open(sys.argv[1], "w") as f:
    for i in range(400):
        start = rng.randrange(len(words) - 200)
        f.write(json.dumps({"id": f"doc{i}", "domain": ["a", "b", "c"][i % 3], "text": " ".join(words[start:start + 200])}) + "\n")
PY
DS=$(curl -s -X POST "$URL/v1/datasets?name=train" -H "$AUTH" --data-binary "@$DIR/train.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
JOB=$(curl -s -X POST "$URL/v1/jobs" -H "$AUTH" -H 'Content-Type: application/json' -d "{\"type\":\"pretrain\",\"params\":{\"dataset\":\"$DS\",\"steps\":1000000,\"checkpoint_every\":200,\"model\":{\"layers\":2,\"d_model\":64,\"heads\":2,\"context\":64}}}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
for _ in $(seq 1 100); do curl -s "$URL/v1/jobs/$JOB" -H "$AUTH" | grep -q '"status":"running"' && break; sleep 0.1; done
echo "server pid $PID on $URL; training job $JOB; $CLIENTS clients for $DURATION s ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
set +e
python3 benchmarks/service/load_test.py --url "$URL" --key "$KEY" --pid "$PID" --job "$JOB" --dataset "$DS" \
  --clients "$CLIENTS" --duration "$DURATION" ${OUT:+--out "$OUT"}
STATUS=$?
set -e
echo "training job after the test: $(curl -s "$URL/v1/jobs/$JOB" -H "$AUTH" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["status"], "step", j["progress"]["step"])')"
curl -s -X POST "$URL/v1/jobs/$JOB/cancel" -H "$AUTH" > /dev/null
exit $STATUS
