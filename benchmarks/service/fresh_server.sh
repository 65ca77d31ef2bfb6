# Sourced by the service benchmarks: start_server TENANT [serve flags…] starts "$BIN serve" on a free loopback port
# with its data under "$DIR/data" and its log in "$DIR/log", and sets KEY (a new key of TENANT), PID, PORT and URL
# (read from Orchard's listening line, the first log line).
start_server() {
  local tenant=$1; shift
  KEY=$("$BIN" keys create --tenant "$tenant" --data-dir "$DIR/data" | tail -1)
  "$BIN" serve --port 0 --data-dir "$DIR/data" "$@" 2> "$DIR/log" &
  PID=$!
  for _ in $(seq 1 200); do
    PORT=$(sed -nE 's/.*orchard listening on http:\/\/127\.0\.0\.1:([0-9]+).*/\1/p' "$DIR/log" | head -1)
    [ -n "${PORT:-}" ] && break; sleep 0.1
  done
  URL="http://127.0.0.1:$PORT"
}
