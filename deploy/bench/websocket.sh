# shellcheck shell=bash
# The websocket case, sourced by run.sh: echo round trips/s over many connections and messages/s one
# way (service to client) through Faultline's websocket listener (chaos off, and on with every fault
# at probability 0), next to nginx proxying the upgrade (Upgrade/Connection headers) and the upstream
# directly. The upstream is BenchUpstream.java (Vert.x): /echo sends every message back, /flood sends
# messages as fast as the reader takes them. Load: WsLoad.java (wrk has no WebSocket), a Vert.x client
# on WS_CLIENT_EVENT_LOOPS event loops that warms itself up for WS_CLIENT_WARMUP s in every run.

WS_UPSTREAM_PORT=${WS_UPSTREAM_PORT:-18110}     # BenchUpstream ws
NGINX_WS_PORT=${NGINX_WS_PORT:-18111}           # the nginx proxy's WebSocket server
FAULTLINE_WS_PORT=${FAULTLINE_WS_PORT:-18112}   # Faultline's websocket listener (its admin API on +1)
WS_CONNECTIONS=${WS_CONNECTIONS:-100}           # connections, each with one message in flight (echo) or flooded
WS_MESSAGE_BYTES=${WS_MESSAGE_BYTES:-128}       # binary messages of this size, both ways
WS_CLIENT_EVENT_LOOPS=${WS_CLIENT_EVENT_LOOPS:-1}  # WsLoad's event loops (one, like wrk -t1)
WS_CLIENT_WARMUP=${WS_CLIENT_WARMUP:-2}         # seconds of unmeasured load at the start of each WsLoad run
TARGET_WS_RATIO=${TARGET_WS_RATIO:-1.0}         # Faultline round trips/s and messages/s / nginx's
WS_IDLE_CONNECTIONS=${WS_IDLE_CONNECTIONS:-10000}  # idle connections held through Faultline (0: not run) ...
WS_IDLE_SECONDS=${WS_IDLE_SECONDS:-20}             # ... for this long once all are open
TARGET_IDLE_HEAP_MIB=${TARGET_IDLE_HEAP_MIB:-256}  # heap in use while they are held (issue 19)

websocket_ports() { echo "$WS_UPSTREAM_PORT $NGINX_WS_PORT $FAULTLINE_WS_PORT $((FAULTLINE_WS_PORT + 1))"; }

websocket_nginx_proxy_http() {
  cat <<EOF
    upstream ws_upstream {
        server 127.0.0.1:$WS_UPSTREAM_PORT;
    }
    server {
        listen 127.0.0.1:$NGINX_WS_PORT backlog=8192;
        location / {
            proxy_pass http://ws_upstream;
            proxy_http_version 1.1;
            proxy_set_header Upgrade \$http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
        }
    }
EOF
}

# run_ws round case body(echo|oneway) base [connections seconds warmup]: one WsLoad run, recorded
# unless connections is given (sanity checks and warm-up)
run_ws() {
  local round=$1 case=$2 body=$3 base=$4 conns=${5:-$WS_CONNECTIONS} seconds=${6:-$DURATION} warmup=${7:-$WS_CLIENT_WARMUP}
  local mode=echo path=/echo
  [[ $body == oneway ]] && mode=flood path=/flood
  local file=$OUT/wsload-$case-$body-r$round.txt
  measuring
  timeout $((seconds + warmup + 90)) java -Xms64m -Xmx512m -cp "$BENCH_CP" WsLoad "$mode" "$base$path" "$conns" "$warmup" \
    "$seconds" "$WS_MESSAGE_BYTES" "$WS_CLIENT_EVENT_LOOPS" >"$file" 2>&1 || die "WsLoad failed for $case/$body: $(tail -3 "$file")"
  local rate p50 p99 errors count
  read -r rate p50 p99 errors count < <(tail -1 "$file")
  [[ -n $count ]] || die "could not parse $file"
  if [[ -n ${5:-} ]]; then
    ((count > 0 && errors == 0)) || die "WebSocket $mode through $base$path: $count messages, $errors errors"
    return 0
  fi
  record "$round" "$case" "$body" "$rate" "$p50" "$p99" "$errors" "$count"
  log "  $case/$body: $rate $([[ $body == echo ]] && echo round\ trips || echo messages)/s, p50 ${p50} ms, p99 ${p99} ms, errors $errors"
}

case_websocket() {
  local direct=ws://127.0.0.1:$WS_UPSTREAM_PORT nginx=ws://127.0.0.1:$NGINX_WS_PORT fl=ws://127.0.0.1:$FAULTLINE_WS_PORT
  # chaos and admin steer this case's gateway; on0 also sets the per-message faults at probability 0
  local ADMIN=http://127.0.0.1:$((FAULTLINE_WS_PORT + 1))
  local CHAOS_ON0_EXTRA=',"websocket":{"message_drop_probability":0,"message_duplicate_probability":0,"message_corrupt_probability":0,"disconnect_probability":0}'
  start_bench_upstream ws-upstream ws "$WS_UPSTREAM_PORT" "$WS_MESSAGE_BYTES"
  local upstream_pid=$BENCH_UPSTREAM_PID
  start_case_gateway websocket 0 $((FAULTLINE_WS_PORT + 1)) \
    --websocket-upstream "ws://127.0.0.1:$WS_UPSTREAM_PORT" --websocket-port "$FAULTLINE_WS_PORT"
  wait_port "$FAULTLINE_WS_PORT" "Faultline (websocket) listener"
  local base
  for base in "$direct" "$nginx" "$fl"; do
    run_ws 0 check echo "$base" 2 1 0
    run_ws 0 check oneway "$base" 2 1 0
  done
  chaos on0
  run_ws 0 check echo "$fl" 2 1 0
  chaos off
  log "websocket: sanity checks passed (echoes of the right size and a one-way feed on every path, no errors)"
  protocol_warmup websocket "echo oneway" "off on0" ws_warm "$fl"
  protocol_rounds websocket ws "echo oneway" "off on0" run_ws "$direct" "$nginx" "$fl"
  if ((WS_IDLE_CONNECTIONS > 0)); then
    # each idle connection is two sockets in the gateway (client and upstream), plus the JVM's own files
    local fit=$((($(ulimit -n) - 300) / 2))
    if ((WS_IDLE_CONNECTIONS > fit)); then
      log "websocket idle: the open-files limit ($(ulimit -n), hard $(ulimit -Hn)) holds $fit relayed connections, not $WS_IDLE_CONNECTIONS: holding $fit"
      WS_IDLE_CONNECTIONS=$fit
    fi
    for round in $(seq 1 "$ROUNDS"); do ws_idle "$round" "$fl"; done
  fi
  stop_started "$CASE_PID" "$upstream_pid"
}

# ws_idle round url: WS_IDLE_CONNECTIONS idle connections through Faultline (chaos off), held
# WS_IDLE_SECONDS; the gateway's threads and heap in use before, at most and after (ws-idle.tsv)
ws_idle() {
  local round=$1 url=$2 file=$OUT/wsload-idle-r$1.txt samples=$OUT/ws-idle-threads-r$1.tsv jstat_out=$OUT/ws-idle-jstat-r$1.txt
  local thr_before heap_before thr_after thr_max heap_max live_max open errors opened live_full=n/a
  thr_before=$(threads_of "$CASE_PID")
  heap_before=$(heap_mib "$CASE_PID")
  jstat -gc "$CASE_PID" 250 >"$jstat_out" 2>&1 &
  SAMPLER_PID=$!
  : >"$samples"
  java -Xms64m -Xmx1g -cp "$BENCH_CP" WsLoad idle "$url/echo" "$WS_IDLE_CONNECTIONS" 0 "$WS_IDLE_SECONDS" "$WS_MESSAGE_BYTES" 1 \
    >"$file" 2>&1 &
  LOADER_PID=$!
  while kill -0 "$LOADER_PID" 2>/dev/null; do
    printf '%s\t%s\n' "$(date +%s.%N)" "$(threads_of "$CASE_PID")" >>"$samples"
    if [[ $live_full == n/a ]] && grep -q '^WsLoad: all .* open' "$file"; then
      # the live heap with every connection open: a full collection, then what is in use (the young-collection
      # reading below also counts the old generation's garbage, e.g. an earlier round's closed connections)
      sleep 2
      jcmd "$CASE_PID" GC.run >/dev/null 2>&1 && live_full=$(heap_mib "$CASE_PID")
    fi
    sleep 0.25
  done
  wait "$LOADER_PID" || die "WsLoad (idle connections) failed: $(tail -3 "$file")"
  LOADER_PID=""
  sleep 2
  kill -TERM "$SAMPLER_PID" 2>/dev/null || true
  wait "$SAMPLER_PID" 2>/dev/null || true
  SAMPLER_PID=""
  thr_after=$(threads_of "$CASE_PID")
  thr_max=$(awk -F'\t' -v m="$thr_after" '$2 > m { m = $2 } END { print m }' "$samples")
  read -r heap_max live_max < <(jstat_peaks "$jstat_out" "$heap_before")
  read -r open _ _ errors opened < <(tail -1 "$file")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$opened" "$open" "$errors" "$thr_before" "$thr_max" "$thr_after" \
    "${heap_before:-0}" "$heap_max" "$live_max" "${live_full:-n/a}" >>"$OUT/ws-idle.tsv"
  log "  websocket idle: $open of $opened connections held ${WS_IDLE_SECONDS}s, errors $errors, threads $thr_before -> max $thr_max" \
    "-> $thr_after, heap ${heap_before} -> max ${heap_max} MiB (kept after a collection: at most ${live_max} MiB;" \
    "live with all open, after a full collection: ${live_full} MiB)"
}

# The idle connections' section of the report (its targets count in the script's exit code)
websocket_report() {
  [[ -s $OUT/ws-idle.tsv ]] || return 0
  printf '\n### %s idle WebSocket connections through Faultline, held %s s (chaos off)\n\n' "$WS_IDLE_CONNECTIONS" "$WS_IDLE_SECONDS"
  printf '| round | opened | still open | errors | threads before / max / after | heap in use before / max (MiB) | heap kept after a young collection, max (MiB) | live heap, all open, after a full collection (MiB) | target |\n|---|---|---|---|---|---|---|---|---|\n'
  local round opened open errors tb tm ta hb hm lm lf ok
  while IFS=$'\t' read -r round opened open errors tb tm ta hb hm lm lf; do
    # the live heap when it was read; else the heap kept after a young collection when one happened during the
    # hold (a raw reading counts the garbage in eden too)
    ok=$(awk -v o="$open" -v n="$opened" -v e="$errors" -v tb="$tb" -v tm="$tm" -v s="$TARGET_THREADS_SLACK" -v hm="$hm" -v lm="${lm:-n/a}" \
      -v lf="${lf:-n/a}" -v t="$TARGET_IDLE_HEAP_MIB" \
      'BEGIN { h = (lf != "n/a") ? lf : (lm == "n/a") ? hm : lm; print (o == n && e == 0 && tm - tb <= s && h < t) ? "PASS" : "FAIL" }')
    [[ $ok == PASS ]] || report_rc=3
    printf '| %s | %s | %s | %s | %s / %s / %s | %s / %s | %s | %s | %s (all open, no errors, threads +%s at most, live heap < %s MiB) |\n' \
      "$round" "$opened" "$open" "$errors" "$tb" "$tm" "$ta" "$hb" "$hm" "${lm:-n/a}" "${lf:-n/a}" "$ok" "$TARGET_THREADS_SLACK" "$TARGET_IDLE_HEAP_MIB"
  done <"$OUT/ws-idle.tsv"
}

ws_warm() { run_ws 0 warm "$1" "$2" "$WS_CONNECTIONS" "$WARMUP" 0; }   # body url
