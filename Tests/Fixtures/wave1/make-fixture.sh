#!/usr/bin/env bash
# Makes the wave-1 database fixture with the wave-1 binary (commit 6e1ec73), so that LegacyDatabaseTests run a
# database written by the previous release: a paused ADO pretrain job with a checkpoint (camelCase ADO config
# in its params and in its state.json, the seed inside params), a queued ADO pretrain job, and a queued
# topic_model job whose params carry a `seed` that overrides the job's (as wave 1 allowed).
# Usage: make-fixture.sh WAVE1_ORCHARD_BINARY OUT_DIR
set -euo pipefail
orchard=$1; out=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"; mkdir -p "$out/data"
key=$("$orchard" keys create --tenant acme --data-dir "$out/data" | tail -1)

serve() {  # serve WORKERS: starts the server, sets $pid and $url
    "$orchard" serve --port 0 --data-dir "$out/data" --workers "$1" 2>"$out/serve.log" & pid=$!
    for _ in $(seq 100); do grep -q "listening on" "$out/serve.log" 2>/dev/null && break; sleep 0.1; done
    url=$(grep -o 'http://[0-9.]*:[0-9]*' "$out/serve.log" | head -1)
}
api() { curl -sf -H "Authorization: Bearer $key" -H 'Content-Type: application/json' "$@"; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

ado='{"kind": "ado", "config": {"updateInterval": 10, "ignoreSteps": 0, "startStep": 20, "subsample": 1, "smoothingWindow": 5, "minimumWeight": 0.05}}'
pretrain() {  # pretrain STEPS SEED
    echo "{\"type\": \"pretrain\", \"seed\": $2, \"params\": {\"dataset\": \"$ds\", \"steps\": $1, \"batch_size\": 8,
      \"model\": {\"layers\": 1, \"d_model\": 32, \"heads\": 2, \"context\": 32}, \"optimizer\": {\"lr\": 0.01, \"warmup\": 5},
      \"mixture\": $ado, \"metrics_every\": 5, \"eval_every\": 20, \"heldout_windows\": 4, \"checkpoint_every\": 20}}"
}

serve 1
ds=$(api -X POST --data-binary @"$here/dpkg-3-sections.jsonl" "$url/v1/datasets?name=dpkg" | field '["id"]')
paused=$(api -X POST -d "$(pretrain 200 7)" "$url/v1/jobs" | field '["id"]')
for _ in $(seq 600); do
    step=$(api "$url/v1/jobs/$paused" | field '["progress"]["step"] or 0')
    [ "$step" -ge 12 ] && break; sleep 0.1
done
api -X POST "$url/v1/jobs/$paused/pause" >/dev/null
for _ in $(seq 600); do [ "$(api "$url/v1/jobs/$paused" | field '["status"]')" = paused ] && break; sleep 0.1; done
kill -TERM $pid; wait $pid || true

serve 0
queued=$(api -X POST -d "$(pretrain 30 11)" "$url/v1/jobs" | field '["id"]')
topic=$(api -X POST -d "{\"type\": \"topic_model\", \"seed\": 5, \"params\": {\"dataset\": \"$ds\", \"topics\": 3, \"seed\": \"123\",
  \"vocabulary\": {\"min_document_frequency\": 2, \"max_size\": 300}, \"anchors\": {\"min_document_frequency\": 2, \"document_fraction\": 0}}}" \
  "$url/v1/jobs" | field '["id"]')
api "$url/v1/jobs/$paused" > "$out/paused-job.json"
kill -TERM $pid; wait $pid || true
python3 - "$out/data/orchard.sqlite" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute("PRAGMA wal_checkpoint(TRUNCATE)"); c.close()
PY
rm -f "$out/data/orchard.sqlite-wal" "$out/data/orchard.sqlite-shm"
printf '{"dataset": "%s", "paused_pretrain": "%s", "queued_pretrain": "%s", "queued_topic_model": "%s"}\n' \
    "$ds" "$paused" "$queued" "$topic" > "$out/data/fixture.json"
cat "$out/data/fixture.json"
