# shellcheck shell=bash
# The grpc case, sourced by run.sh: unary calls/s and server-streaming messages/s through Faultline's
# grpc listener (chaos off, and on with every fault at probability 0), next to nginx proxying the same
# upstream with grpc_pass and the upstream directly. The upstream is BenchUpstream.java (Vert.x gRPC,
# raw buffers, no .proto): bench.Bench/Unary echoes the request message, bench.Bench/Stream answers
# one request with GRPC_STREAM_MESSAGES messages. Load: h2load sending a length-prefixed message with
# content-type application/grpc and te: trailers. h2load cannot read grpc-status, so every run is
# checked by its response bytes: a call that failed has no message (a trailers-only answer), and
# counts as an error; nghttp checks grpc-status 0 on every path first.

GRPC_UPSTREAM_PORT=${GRPC_UPSTREAM_PORT:-18100}     # BenchUpstream grpc
NGINX_GRPC_PORT=${NGINX_GRPC_PORT:-18101}           # the nginx proxy's grpc_pass server
FAULTLINE_GRPC_PORT=${FAULTLINE_GRPC_PORT:-18102}   # Faultline's grpc listener (its admin API on +1)
GRPC_CONNECTIONS=${GRPC_CONNECTIONS:-10}            # h2load -c: HTTP/2 connections ...
GRPC_STREAMS=${GRPC_STREAMS:-10}                    # ... h2load -m: calls in flight on each
GRPC_MESSAGE_BYTES=${GRPC_MESSAGE_BYTES:-64}        # every message's payload, request and response
GRPC_STREAM_MESSAGES=${GRPC_STREAM_MESSAGES:-100}   # messages per server-streaming call
TARGET_GRPC_RATIO=${TARGET_GRPC_RATIO:-1.0}         # Faultline calls/s and messages/s / nginx grpc_pass's

grpc_ports() { echo "$GRPC_UPSTREAM_PORT $NGINX_GRPC_PORT $FAULTLINE_GRPC_PORT $((FAULTLINE_GRPC_PORT + 1))"; }

grpc_prepare() {
  GRPC_DIR=$OUT/grpc
  mkdir -p "$GRPC_DIR"
  # the gRPC message frame: flag 0 (not compressed), a 4-byte big-endian length, the payload
  local n=$GRPC_MESSAGE_BYTES
  # shellcheck disable=SC2059
  { printf "$(printf '\\%03o' 0 $((n >> 24 & 255)) $((n >> 16 & 255)) $((n >> 8 & 255)) $((n & 255)))"
    head -c "$n" /dev/zero | tr '\0' 'g'; } >"$GRPC_DIR/request.bin"
  (($(stat -c %s "$GRPC_DIR/request.bin") == GRPC_MESSAGE_BYTES + 5)) || die "could not write the gRPC request frame"
}

grpc_nginx_proxy_http() {
  cat <<EOF
    upstream grpc_upstream {
        server 127.0.0.1:$GRPC_UPSTREAM_PORT;
        keepalive 256;
        keepalive_requests 10000000;
        keepalive_timeout 120s;
    }
    server {
        listen 127.0.0.1:$NGINX_GRPC_PORT http2 backlog=8192;
        http2_max_concurrent_streams 1024;
        location / {
            grpc_pass grpc://grpc_upstream;
            grpc_read_timeout 1h;
            grpc_send_timeout 1h;
        }
    }
EOF
}

GRPC_HEADERS=(-H 'content-type: application/grpc' -H 'te: trailers')

grpc_check() { # base method messages: grpc-status 0 and every message there, 20 calls
  local out="$GRPC_DIR/check-$2.txt" per_call=$(((GRPC_MESSAGE_BYTES + 5) * $3))
  nghttp -v "${GRPC_HEADERS[@]}" -d "$GRPC_DIR/request.bin" "$1/bench.Bench/$2" >"$out" 2>&1 || die "nghttp $1/bench.Bench/$2 failed"
  grep -aq 'grpc-status: 0$' "$out" || die "$1/bench.Bench/$2: no grpc-status 0 ($(grep -a -m3 'grpc-\|:status' "$out" | tr '\n' ' '))"
  h2load -n 20 -c 1 "${GRPC_HEADERS[@]}" -d "$GRPC_DIR/request.bin" "$1/bench.Bench/$2" >"$out" 2>&1 || die "h2load $1 failed"
  (($(grpc_data_bytes "$out") == 20 * per_call)) || die "$1/bench.Bench/$2: expected $((20 * per_call)) response bytes, got $(grpc_data_bytes "$out")"
}

# "traffic: 9.28MB (9726337) total, 4.52KB (4630) headers (space savings 94.67%), 9.21MB (9654447) data"
grpc_data_bytes() { awk '/^traffic:/ { for (i = 2; i <= NF; i++) if ($i == "data") { gsub(/[()]/, "", $(i - 1)); print $(i - 1); exit } }' "$1"; }

run_grpc() { # round case body(unary|stream) url [seconds]: one h2load run, recorded unless seconds is given (warm-up)
  local round=$1 case=$2 body=$3 url=$4 seconds=${5:-$DURATION}
  local method=Unary messages=1
  [[ $body == stream ]] && method=Stream messages=$GRPC_STREAM_MESSAGES
  local file=$OUT/h2load-$case-$body-r$round.txt reqlog=$OUT/h2load-$case-$body-r$round.log
  measuring
  timeout $((seconds + 60)) h2load -t 1 -c "$GRPC_CONNECTIONS" -m "$GRPC_STREAMS" -D "$seconds" "${GRPC_HEADERS[@]}" \
    -d "$GRPC_DIR/request.bin" --log-file "$reqlog" "$url/bench.Bench/$method" >"$file" 2>&1 \
    || die "h2load failed for $case/$body: $(tail -3 "$file")"
  [[ -z ${5:-} ]] || return 0
  local count ok bad min p50 p99 max done failed data complete errors
  read -r count ok bad min p50 p99 max _p999 < <(h2load_stats "$reqlog")
  done=$(awk '/^requests:/ { gsub(/,/, ""); print $6 + 0; exit }' "$file")
  failed=$(h2load_failed "$file")
  data=$(grpc_data_bytes "$file")
  complete=$((data / ((GRPC_MESSAGE_BYTES + 5) * messages)))   # calls whose every message arrived
  # failed streams, non-200 answers, or calls answered without all their messages (each is a sign of errors)
  errors=$((failed + bad > done - complete ? failed + bad : done - complete))
  local rate
  rate=$(awk -v n="$complete" -v m="$messages" -v d="$seconds" 'BEGIN { printf "%.2f", n * m / d }')
  record "$round" "$case" "$body" "$rate" "$p50" "$p99" "$errors" "$done"
  log "  $case/$body: $rate $([[ $body == stream ]] && echo messages || echo calls)/s, p50 ${p50} ms, p99 ${p99} ms per call, errors $errors"
}

case_grpc() {
  local direct=http://127.0.0.1:$GRPC_UPSTREAM_PORT nginx=http://127.0.0.1:$NGINX_GRPC_PORT
  local fl=http://127.0.0.1:$FAULTLINE_GRPC_PORT
  # chaos and admin steer this case's gateway; on0 also sets gRPC's own faults at probability 0
  local ADMIN=http://127.0.0.1:$((FAULTLINE_GRPC_PORT + 1))
  local FAULTS_EXTRA=',"grpc_status_codes":["UNAVAILABLE"],"grpc_status_probability":0,"stream_drop_probability":0'
  start_bench_upstream grpc-upstream grpc "$GRPC_UPSTREAM_PORT" "$GRPC_MESSAGE_BYTES" "$GRPC_STREAM_MESSAGES"
  local upstream_pid=$BENCH_UPSTREAM_PID
  start_case_gateway grpc 0 $((FAULTLINE_GRPC_PORT + 1)) \
    --grpc-upstream "127.0.0.1:$GRPC_UPSTREAM_PORT" --grpc-port "$FAULTLINE_GRPC_PORT"
  wait_port "$FAULTLINE_GRPC_PORT" "Faultline (grpc) listener"
  local base
  for base in "$direct" "$nginx" "$fl"; do
    grpc_check "$base" Unary 1
    grpc_check "$base" Stream "$GRPC_STREAM_MESSAGES"
  done
  chaos on0
  grpc_check "$fl" Unary 1
  chaos off
  log "grpc: sanity checks passed (grpc-status 0 and every message, unary and streaming, on every path)"
  protocol_warmup grpc "unary stream" "off on0" grpc_warm "$fl"
  protocol_rounds grpc grpc "unary stream" "off on0" run_grpc "$direct" "$nginx" "$fl"
  stop_started "$CASE_PID" "$upstream_pid"
}

grpc_warm() { run_grpc 0 warm "$1" "$2" "$WARMUP"; }   # body url
