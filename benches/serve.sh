#!/usr/bin/env bash
# Benchmark of `redflag serve` and of `redflag check`'s cold start. Prints figures and ratios against
# baselines measured in the same run; it asserts nothing.
#
#   bash benches/serve.sh                      # about 8 minutes on 2 cores
#   RUN_SECONDS=5 REPEATS=1 bash benches/serve.sh   # a quick look
#
# 1. Cold start: `redflag check TEXT` (process start + model load + one verdict) against `true` and
#    `/bin/echo` (process start alone) and `redflag --version` (redflag's start without the model),
#    with hyperfine; then where the model load's time goes (examples/model_load.rs).
# 2. Latency under load, from a separate process on loopback: examples/loadgen.rs sends the labelled
#    comments (labels/*.jsonl, the real mix) open-loop at 1,000, 2,000 and 5,000 requests/s, to the
#    Perspective route, to /v1/check, and to GET /healthz — the same HTTP round trip without scoring,
#    the baseline. Then the saturation throughput (closed loop), cross-checked with wrk. The server's
#    CPU time per request comes from /proc.
#
# Everything runs on this machine: on 2 cores the load generator and the server share them, and any
# other work on the machine shows in the tail latencies (the load average is printed first).
set -euo pipefail
cd "$(dirname "$0")/.."

RUN_SECONDS=${RUN_SECONDS:-10}
REPEATS=${REPEATS:-3}
RATES=${RATES:-"1000 2000 5000"}
CONNECTIONS=${CONNECTIONS:-32}
TEXT="I know where you live and I will find you and kill you."

need() {
    command -v "$1" >/dev/null && return
    echo "== installing $2 (Debian package)"
    apt-get install -y -qq "$2" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "$2"; }
}
need hyperfine hyperfine
need wrk wrk

echo "== build (release)"
cargo build --release --locked -q --bin redflag --example loadgen --example model_load
BIN=target/release/redflag
LOADGEN=target/release/examples/loadgen

echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   model: $(stat -c %s models/redflag.json) bytes (models/redflag.json, built into the binary)"

echo
echo "== cold start: process start + model load + one verdict"
hyperfine -N --warmup 10 --runs 200 -i \
    'true' \
    '/bin/echo' \
    "$BIN --version" \
    "$BIN check '$TEXT'"

echo
echo "== where the model load goes (median of 30 in-process runs)"
target/release/examples/model_load --runs 30

echo
echo "== in-process baseline: redflag score over the same comments, one thread, no HTTP"
"$BIN" score labels/*.jsonl 2>&1 >/dev/null | tail -1

echo
echo "== redflag serve on 127.0.0.1 (ephemeral port)"
OUT=$(mktemp)
# exec: $! is the server itself, so that SIGTERM reaches it.
(exec "$BIN" serve --listen 127.0.0.1:0 >"$OUT" 2>&1) &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null || true; rm -f "$OUT"' EXIT
for _ in $(seq 100); do grep -q listening "$OUT" && break; sleep 0.05; done
ADDR=$(sed -n 's|.*listening on http://||p' "$OUT")
echo "   listening on $ADDR, pid $SERVER"
TICKS=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }

TEXTS=()
for f in labels/*.jsonl; do TEXTS+=(--texts "$f"); done

# Runs the load generator; prints its line and the server's CPU time per answered request.
load() {
    local before after line ok
    before=$(cpu_ticks)
    line=$("$LOADGEN" --addr "$ADDR" "${TEXTS[@]}" --connections "$CONNECTIONS" \
        --seconds "$RUN_SECONDS" "$@")
    after=$(cpu_ticks)
    ok=$(sed -n 's/.*: \([0-9]*\) ok.*/\1/p' <<<"$line")
    echo "$line; server CPU $(awk -v t=$((after - before)) -v hz="$TICKS" -v n="$ok" \
        'BEGIN { printf "%.1f", n ? t / hz / n * 1e6 : 0 }') us/request"
}

echo
echo "== latency at fixed rates (open loop, $CONNECTIONS connections, ${RUN_SECONDS} s per run, $REPEATS runs)"
for rate in $RATES; do
    for route in healthz perspective check; do
        for _ in $(seq "$REPEATS"); do load --route "$route" --rate "$rate"; done
    done
done

echo
echo "== saturation (closed loop: every connection sends as soon as its answer is in)"
for route in healthz perspective; do
    for _ in $(seq "$REPEATS"); do load --route "$route" --rate 0; done
done

echo
echo "== cross-check of the saturation with wrk (same comments, 1 thread, $CONNECTIONS connections)"
BODIES=$(mktemp)
LUA=$(mktemp --suffix .lua)
"$LOADGEN" --addr "$ADDR" --route perspective "${TEXTS[@]}" --write-bodies "$BODIES"
cat >"$LUA" <<'EOF'
local bodies = {}
for line in io.lines(os.getenv("BODIES")) do bodies[#bodies + 1] = line end
local i = 0
request = function()
    i = i % #bodies + 1
    return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, bodies[i])
end
EOF
for _ in $(seq "$REPEATS"); do
    before=$(cpu_ticks)
    BODIES="$BODIES" wrk -t1 -c"$CONNECTIONS" -d"${RUN_SECONDS}s" --latency -s "$LUA" \
        "http://$ADDR/v1alpha1/comments:analyze" >"$BODIES.out"
    after=$(cpu_ticks)
    rps=$(awk '/Requests\/sec/ {print $2}' "$BODIES.out")
    echo "wrk: $rps req/s; latency p50 $(awk '$1 == "50%" {print $2}' "$BODIES.out")" \
        "p99 $(awk '$1 == "99%" {print $2}' "$BODIES.out");" \
        "$(grep -c Non-2xx "$BODIES.out" | sed 's/^0$/no/') non-2xx answers;" \
        "server CPU $(awk -v t=$((after - before)) -v hz="$TICKS" -v r="$rps" -v s="$RUN_SECONDS" \
            'BEGIN { printf "%.1f", t / hz / (r * s) * 1e6 }') us/request"
done
rm -f "$LUA" "$BODIES" "$BODIES.out"

echo
echo "== graceful shutdown"
kill -TERM "$SERVER"
STATUS=0
wait "$SERVER" || STATUS=$?
trap - EXIT
rm -f "$OUT"
echo "   redflag serve exited $STATUS after SIGTERM"
