#!/usr/bin/env bash
# Latency from POST /v1/jobs to the job running on Slurm (issue 20 item 6), split where the store's millisecond
# timestamps allow: POST → `job.backend_submitted` (the dispatcher's poll + sbatch) and → `job.started` (Slurm
# scheduling, slurmd launching the batch step, the worker starting and claiming the job).
#
#   benchmarks/service/slurm_latency.sh [N] [BIN]     # N jobs one after another (default 10); BIN: an orchard binary
#
# Needs the test clusters: eval "$(scripts/postgres-test-server.sh start)"; eval "$(scripts/slurm-test-cluster.sh start)".
# The server runs with --workers 0 --slurm --slurm-poll-ms 100 on a fresh PostgreSQL database; each job is a 1-step
# test_counter job when BIN is orchard-testserver, else a 1-step mlp_train job.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-10}
BIN=${2:-.build/release/orchard}
: "${ORCHARD_TEST_POSTGRES_URL:?start scripts/postgres-test-server.sh}" "${SLURM_CONF:?start scripts/slurm-test-cluster.sh}"
DIR=$(mktemp -d /tmp/orchard-slurm-latency.XXXXXX)
DB=slurm_latency_$$
psql "$ORCHARD_TEST_POSTGRES_URL" -q -c "CREATE DATABASE $DB"
URL_DB=${ORCHARD_TEST_POSTGRES_URL%/*}/$DB
cleanup() { kill "${PID:-0}" 2>/dev/null || true; wait 2>/dev/null || true
            psql "$ORCHARD_TEST_POSTGRES_URL" -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"; rm -rf "$DIR"; }
trap cleanup EXIT
KEY=$("$BIN" keys create --tenant bench --data-dir "$DIR/data" --database "$URL_DB" | tail -1)
"$BIN" serve --port 0 --data-dir "$DIR/data" --database "$URL_DB" --checkpoint-dir "$DIR/checkpoints" --workers 0 \
  --slurm --slurm-mem 200M --slurm-poll-ms 100 --slurm-dir "$DIR/slurm" 2> "$DIR/log" &
PID=$!
for _ in $(seq 1 200); do
  PORT=$(sed -nE 's/.*orchard listening on http:\/\/127\.0\.0\.1:([0-9]+).*/\1/p' "$DIR/log" | head -1)
  [ -n "${PORT:-}" ] && break; sleep 0.1
done
if [[ $(basename "$BIN") == orchard-testserver ]]; then
  BODY='{"type":"test_counter","backend":"slurm","params":{"steps":1,"checkpoint_every":1,"step_ms":1}}'
else
  BODY='{"type":"mlp_train","backend":"slurm","params":{"steps":1}}'
fi
for i in $(seq 1 "$N"); do
  id=$(curl -sf -H "Authorization: Bearer $KEY" -X POST "http://127.0.0.1:$PORT/v1/jobs" -d "$BODY" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  for _ in $(seq 1 600); do
    st=$(curl -sf -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/v1/jobs/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
    [ "$st" != queued ] && break; sleep 0.05
  done
done
psql "$URL_DB" -At -F ' ' -c "
  SELECT j.id,
         (SELECT created_at FROM job_events e WHERE e.job_id = j.id AND e.type = 'job.backend_submitted' ORDER BY seq LIMIT 1) - j.created_at,
         (SELECT created_at FROM job_events e WHERE e.job_id = j.id AND e.type = 'job.started' ORDER BY seq LIMIT 1) - j.created_at
  FROM jobs j ORDER BY j.seq" | python3 -c '
import statistics, sys
rows = [l.split() for l in sys.stdin if l.strip()]
sub = [int(r[1]) for r in rows]; start = [int(r[2]) for r in rows]
print("job                              POST->submitted ms  POST->running ms")
for r in rows: print(f"{r[0]}  {int(r[1]):>18}  {int(r[2]):>16}")
print(f"median over {len(rows)} jobs: POST->sbatch accepted {statistics.median(sub):.0f} ms, "
      f"sbatch->worker claimed {statistics.median(b - a for a, b in zip(sub, start)):.0f} ms, POST->running {statistics.median(start):.0f} ms "
      f"(min {min(start)}, max {max(start)})")'
