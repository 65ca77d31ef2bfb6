#!/usr/bin/env bash
# Server memory during large dataset uploads (issue 19 item 4): one 200 MB upload, then three concurrent 100 MB
# uploads, against a fresh server. For each phase: the server's RSS just before (VmRSS), its peak during the phase
# (VmHWM after resetting it with `echo 5 > /proc/PID/clear_refs`), and the growth = peak - before.
#   swift build --product orchard            # or a release build; BIN= picks the binary
#   benchmarks/service/upload_rss.sh         # SIZE_MB=200 to change the big upload (the three take half each)
# Documents are ~2 KB of lowercase pseudo-words, ids d0, d1, ... (generated once into the temp dir).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/debug/orchard}
SIZE_MB=${SIZE_MB:-200}
DIR=$(mktemp -d /tmp/orchard-upload.XXXXXX)
trap 'kill $PID 2>/dev/null || true; rm -rf "$DIR"' EXIT

gen() {  # gen FILE MB PREFIX
  python3 - "$1" "$2" "$3" <<'EOF'
import random, sys, json
path, mb, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(7)
words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))) for _ in range(5000)]
target, n = mb * 1_000_000, 0
with open(path, "w") as f:
    while f.tell() < target:
        text = " ".join(rng.choice(words) for _ in range(330))
        f.write(json.dumps({"id": f"{prefix}{n}", "domain": f"d{n % 8}", "text": text}) + "\n")
        n += 1
EOF
}
gen "$DIR/big.jsonl" "$SIZE_MB" big
for i in 1 2 3; do gen "$DIR/part$i.jsonl" $((SIZE_MB / 2)) "p$i-"; done
ls -l "$DIR"/*.jsonl | awk '{print $5, $9}'

source benchmarks/service/fresh_server.sh
start_server bench --workers 0 --max-dataset-mb 1024
upload() { curl -s -o "$DIR/out.$2" -w "%{http_code}" -X POST "$URL/v1/datasets?name=$2" -H "Authorization: Bearer $KEY" \
  -H "Content-Type: application/x-ndjson" --data-binary "@$1"; }
kb() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$PID/status"; }

head -c 2000000 "$DIR/part1.jsonl" | sed '$d' > "$DIR/warm.jsonl"; upload "$DIR/warm.jsonl" warm > /dev/null   # warm-up

phase() {  # phase NAME COMMAND...
  local before; before=$(kb VmRSS); echo 5 > "/proc/$PID/clear_refs"
  local t0; t0=$(date +%s.%N)
  "${@:2}"
  local t1; t1=$(date +%s.%N)
  local peak; peak=$(kb VmHWM)
  printf '%-32s RSS before %6d MB  peak %6d MB  growth %+6d MB  (%.1f s)\n' "$1" $((before / 1024)) $((peak / 1024)) \
    $(((peak - before) / 1024)) "$(echo "$t1 - $t0" | bc)"
}
one() { echo "  status $(upload "$DIR/big.jsonl" big)"; }
three() {
  upload "$DIR/part1.jsonl" p1 > "$DIR/s1" & local a=$!
  upload "$DIR/part2.jsonl" p2 > "$DIR/s2" & local b=$!
  upload "$DIR/part3.jsonl" p3 > "$DIR/s3" & local c=$!
  wait "$a" "$b" "$c"
  echo "  status $(cat "$DIR/s1") $(cat "$DIR/s2") $(cat "$DIR/s3")"
}
phase "one ${SIZE_MB} MB upload" one
phase "three concurrent $((SIZE_MB / 2)) MB uploads" three
curl -s "$URL/v1/datasets?limit=10" -H "Authorization: Bearer $KEY" | python3 -c '
import json, sys
for d in json.load(sys.stdin)["data"]: print("  dataset", d["name"], d["record_count"], "records", d["bytes"], "bytes")'
