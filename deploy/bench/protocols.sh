# shellcheck shell=bash
# What the protocol cases (https.sh, graphql.sh, grpc.sh, websocket.sh) share, sourced by run.sh before
# them: a gateway of their own, the Java upstream, and the warm-up and rounds every case runs. They use
# run.sh's helpers (start_faultline, chaos, wait_http, log, die) when they are called.

# start_case_gateway name http_port admin_port [serve flags...]: a protocol case's own gateway, on the
# nginx upstream unless its flags add another listener; sets CASE_PID (stop it with stop_started)
start_case_gateway() {
  log "starting Faultline for the $1 case, admin 127.0.0.1:$3"
  CASE_PID=$(start_faultline "$@")
  PIDS+=("$CASE_PID")
  wait_http "http://127.0.0.1:$3/health" "Faultline ($1) admin API"
}

# protocol_warmup name "bodies" "modes" warm_fn fl: WARMUP s of each body's load on the case's gateway
# in each chaos mode, before its rounds (warm_fn body url)
protocol_warmup() {
  local name=$1 bodies=$2 modes=$3 warm_fn=$4 fl=$5 mode body
  ((WARMUP > 0)) || return 0
  for mode in $modes; do
    chaos "$mode"
    log "  warm-up $name, chaos $mode: ${WARMUP}s per load"
    for body in $bodies; do "$warm_fn" "$body" "$fl"; done
  done
  chaos off
}

# protocol_rounds name prefix "bodies" "modes" measure_fn direct nginx fl: the rounds of a protocol case.
# Each round, for each body: direct, the nginx proxy, then Faultline in each chaos mode (off and on0
# take turns going first); measure_fn round case body url records case PREFIX_direct, PREFIX_nginx_proxy,
# PREFIX_fl_MODE.
protocol_rounds() {
  local name=$1 prefix=$2 bodies=$3 modes=$4 measure_fn=$5 direct=$6 nginx=$7 fl=$8 round body mode reversed=""
  for mode in $modes; do reversed="$mode $reversed"; done
  for round in $(seq 1 "$ROUNDS"); do
    log "$name round $round/$ROUNDS"
    for body in $bodies; do
      "$measure_fn" "$round" "${prefix}_direct" "$body" "$direct"
      "$measure_fn" "$round" "${prefix}_nginx_proxy" "$body" "$nginx"
      for mode in $( ((round % 2)) && echo "$modes" || echo "$reversed"); do
        chaos "$mode"
        "$measure_fn" "$round" "${prefix}_fl_$mode" "$body" "$fl"
      done
      chaos off
    done
  done
}

wait_port() { # port what
  for _ in $(seq 1 150); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.2
  done
  die "$2 did not listen on 127.0.0.1:$1"
}

# start_bench_upstream name grpc|ws port [args...]: BenchUpstream.java (compiled once, with WsLoad.java,
# into $OUT/classes) in a JVM of its own; sets BENCH_UPSTREAM_PID
BENCH_CP=$JAR:$OUT/classes
start_bench_upstream() {
  local name=$1 kind=$2 port=$3
  shift 3
  [[ -f $OUT/classes/WsLoad.class ]] || javac -cp "$JAR" -d "$OUT/classes" "$HERE/BenchUpstream.java" "$HERE/WsLoad.java" \
    || die "could not compile $HERE/BenchUpstream.java and WsLoad.java"
  java -Xms64m -Xmx512m -cp "$BENCH_CP" BenchUpstream "$kind" "$port" "$BENCH_UPSTREAM_EVENT_LOOPS" "$@" >"$OUT/$name.log" 2>&1 &
  BENCH_UPSTREAM_PID=$!
  PIDS+=("$BENCH_UPSTREAM_PID")
  wait_port "$port" "$name (BenchUpstream $kind)"
}
