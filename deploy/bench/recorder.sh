#!/usr/bin/env bash
# The flight recorder under a flood: every request gets a fault (a 503 from chaos, so every exchange is
# recorded), through three gateways run one after the other: recorder off, recorder on (default queue of
# 50,000 records), and recorder on with a queue of 1,000 records written once a second (it must drop).
# Reports req/s and p99 (medians of ROUNDS wrk runs), records kept and records dropped and counted.
#   deploy/bench/recorder.sh                          # 3 rounds x 10 s per gateway, about 3 minutes
#   ROUNDS=1 DURATION=3 WARMUP=3 deploy/bench/recorder.sh   # smoke run
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-10}
JAR=gateway/target/faultline.jar
[[ -f $JAR ]] || mvn -q -DskipTests package
command -v wrk >/dev/null 2>&1 || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk; }
OUT=$(mktemp -d /tmp/faultline-recorder-bench.XXXXXX)
PID=
trap '[[ -n $PID ]] && kill "$PID" 2>/dev/null; true' EXIT
log() { printf '[recorder-bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

printf 'recorder: {queue_size: 1000}\nhistory: {flush_ms: 1000}\n' > "$OUT/tiny.yaml"
declare -A FLAGS=([off]="--recorder false" [on]="" [tiny]="--config $OUT/tiny.yaml")
PORT=3190
ADMIN=9190
printf '| recorder | req/s (median) | p99 ms | requests sent | exchanges recorded | dropped and counted |\n|---|---|---|---|---|---|\n' > "$OUT/report.md"
for v in off on tiny; do
  # shellcheck disable=SC2086
  java -Xms256m -Xmx1g -jar "$JAR" serve --http-port "$PORT" --admin-port "$ADMIN" --state-dir "$OUT/state-$v" --seed 42 \
    --chaos --chaos-http-errors 503 --chaos-http-error-probability 1.0 ${FLAGS[$v]} >"$OUT/$v.log" 2>&1 &
  PID=$!
  # ready when the listener answers (with its injected 503): the admin API comes up before it
  for _ in $(seq 1 150); do curl -s -o /dev/null "http://127.0.0.1:$PORT/flood" && break; sleep 0.2; done
  log "$v: warming up ${WARMUP} s"
  wrk -t1 -c50 -d"${WARMUP}s" "http://127.0.0.1:$PORT/flood" >/dev/null
  rates=()
  p99s=()
  sent=0
  for r in $(seq 1 "$ROUNDS"); do
    wrk -t1 -c50 -d"${DURATION}s" --latency "http://127.0.0.1:$PORT/flood" > "$OUT/$v-$r.txt"
    rates+=("$(awk '/^Requests\/sec/ {print $2}' "$OUT/$v-$r.txt")")
    p99s+=("$(awk '$1 == "99%" { v = $2; m = 1; if (v ~ /us$/) m = 0.001; else if (v ~ /ms$/) m = 1; else if (v ~ /s$/) m = 1000;
      gsub(/[a-z]+$/, "", v); printf "%.2f", v * m }' "$OUT/$v-$r.txt")")
    sent=$((sent + $(awk '/requests in/ {print $1}' "$OUT/$v-$r.txt")))
    log "$v round $r: ${rates[-1]} req/s, p99 ${p99s[-1]}"
  done
  sleep 2 # let the last batches reach the database before counting
  kept=$(curl -fs "http://127.0.0.1:$ADMIN/api/history/summary" | python3 -c 'import json,sys; print(json.load(sys.stdin)["kept"]["exchanges"])' 2>/dev/null || echo "-")
  dropped=$(curl -fs "http://127.0.0.1:$ADMIN/metrics" | awk -F' ' '/^faultline_history_dropped_total\{kind="exchange"/ {print $2}')
  median_rate=$(printf '%s\n' "${rates[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  median_p99=$(printf '%s\n' "${p99s[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '| %s | %s | %s | %s (+ warm-up) | %s | %s |\n' "$v" "$median_rate" "$median_p99" "$sent" "$kept" "${dropped:-0}" >> "$OUT/report.md"
  kill "$PID"
  wait "$PID" 2>/dev/null || true
  PID=
done
cat "$OUT/report.md"
log "raw output in $OUT"
