#!/usr/bin/env bash
# Issue 19 item 1: GET /v1/jobs/{id} (auth + lookup + JSON) against the same server's GET /healthz, both with
# `wrk -t2 -c64` on loopback, alternating ROUNDS times (default 3) for RUN_SECONDS each (default 5), on a fresh server
# with one (then idle) worker; the job read is a finished one (1 step of `pretrain` on a tiny dataset), so its JSON
# carries params and a result. Prints each run and the ratio of the medians.
#   BIN=.build-release/release/orchard benchmarks/service/api_ratio.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build-release/release/orchard}
ROUNDS=${ROUNDS:-3}
SECONDS_PER_RUN=${RUN_SECONDS:-5}
DIR=$(mktemp -d /tmp/orchard-api.XXXXXX)
trap 'kill $PID 2>/dev/null || true; rm -rf "$DIR"' EXIT
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

source benchmarks/service/fresh_server.sh
start_server bench --workers 1
AUTH="Authorization: Bearer $KEY"
python3 - "$DIR/train.jsonl" <<'PY'
import json, sys
words = open("/usr/share/common-licenses/GPL-3").read().split()
with open(sys.argv[1], "w") as f:
    for i in range(20):
        f.write(json.dumps({"id": f"doc{i}", "domain": ["a", "b"][i % 2], "text": " ".join(words[i * 50:i * 50 + 200])}) + "\n")
PY
DS=$(curl -s -X POST "$URL/v1/datasets?name=train" -H "$AUTH" --data-binary "@$DIR/train.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
JOB=$(curl -s -X POST "$URL/v1/jobs" -H "$AUTH" -H 'Content-Type: application/json' \
  -d "{\"type\":\"pretrain\",\"params\":{\"dataset\":\"$DS\",\"steps\":1,\"model\":{\"layers\":1,\"d_model\":16,\"heads\":1,\"context\":16}}}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
for _ in $(seq 1 300); do curl -s "$URL/v1/jobs/$JOB" -H "$AUTH" | grep -q '"status":"succeeded"' && break; sleep 0.1; done
BYTES=$(curl -s "$URL/v1/jobs/$JOB" -H "$AUTH" | wc -c)
echo "server pid $PID on $URL; job $JOB ($BYTES bytes of JSON); $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
rate() { wrk -t2 -c64 -d"${SECONDS_PER_RUN}s" "$@" | awk '/Requests\/sec/ {print $2} /Non-2xx/ {print "NON2XX " $0 > "/dev/stderr"}'; }
H=(); G=()
for r in $(seq 1 "$ROUNDS"); do
  h=$(rate "$URL/healthz"); g=$(rate -H "$AUTH" "$URL/v1/jobs/$JOB")
  H+=("$h"); G+=("$g")
  echo "round $r: /healthz $h req/s, GET /v1/jobs/{id} $g req/s, ratio $(python3 -c "print(f'{$g/$h:.2f}')")"
done
python3 - "${H[*]}" "${G[*]}" <<'PY'
import statistics, sys
h = [float(x) for x in sys.argv[1].split()]; g = [float(x) for x in sys.argv[2].split()]
print(f"median: /healthz {statistics.median(h):,.0f} req/s, GET /v1/jobs/{{id}} {statistics.median(g):,.0f} req/s, "
      f"ratio {statistics.median(g) / statistics.median(h):.2f} (goal >= 0.70)")
PY
