#!/usr/bin/env bash
# Faultline load benchmark. Run by hand on an otherwise quiet machine; never in CI.
#
#   deploy/bench/run.sh                      # 3 rounds, 10 s per measurement (about 15 minutes)
#   ROUNDS=1 DURATION=3 deploy/bench/run.sh  # smoke run (about 2 minutes)
#   CASES=hold ROUNDS=1 deploy/bench/run.sh  # only the 10,000 held requests (about 1 minute)
#   CASES=metrics ROUNDS=1 deploy/bench/run.sh  # only what metrics cost (chaos off, 3 gateways)
#   CASES="grpc websocket" ROUNDS=1 DURATION=3 deploy/bench/run.sh  # protocol cases only (smoke run)
#
# The gRPC, WebSocket, GraphQL and HTTPS cases live in grpc.sh, websocket.sh, graphql.sh and https.sh
# (sourced below; one function per case). Everything listens on and talks to 127.0.0.1 only. See
# README.md beside this file.
set -euo pipefail

# ---------------------------------------------------------------------------------------------
# Settings (environment variables)
# ---------------------------------------------------------------------------------------------
ROUNDS=${ROUNDS:-3}                 # interleaved rounds; the table shows the median over rounds
# Which cases to run (any of: throughput rate latency hold metrics https graphql grpc websocket).
# Targets of cases not run are skipped. metrics: chaos-off throughput of the default gateway against one
# with no per-request metrics (--request-metrics false) and one with Vert.x's own metrics too
# (--vertx-metrics true). https, graphql, grpc, websocket: each against nginx doing the same job, with a
# gateway of its own (see the sourced files below).
ALL_CASES="throughput rate latency hold metrics https graphql grpc websocket"
CASES=${CASES:-$ALL_CASES}
DURATION=${DURATION:-10}            # seconds per throughput / fixed-rate / latency measurement
# JIT warm-up before round 1, in seconds per Faultline path (chaos off and on, small and 64 KiB, and
# the latency path). On 2 cores C2 keeps compiling for ~30 s of load; cold, Faultline runs at a
# quarter of its warm throughput, so a short warm-up measures the JIT, not the gateway.
WARMUP=${WARMUP:-10}
# Closed-loop throughput: one wrk thread with 50 keep-alive connections. On a 2-core machine the
# load generator, the upstream nginx and the proxy under test all share the cores; one wrk thread
# (one epoll loop, 40-50k small req/s on one core) is enough to saturate any of the proxies here and
# leaves the most CPU to the thing measured. 50 connections keeps every proxy event loop busy
# without turning the run into a connection-scheduling test.
WRK_THREADS=${WRK_THREADS:-1}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-50}
RATE=${RATE:-2000}                  # fixed-rate case: requests per second in total
RATE_CLIENTS=${RATE_CLIENTS:-20}    # ... spread over this many HTTP/1.1 connections (h2load --rps each)
LATENCY_MS=${LATENCY_MS:-100}       # injected-latency case: delay and ...
LATENCY_CONNECTIONS=${LATENCY_CONNECTIONS:-200}  # ... concurrent connections
HOLD_REQUESTS=${HOLD_REQUESTS:-10000}  # held-requests case: this many concurrent requests ...
HOLD_MS=${HOLD_MS:-5000}               # ... each delayed this long
HOLD_RAMP_MS=${HOLD_RAMP_MS:-0}        # 0: open every connection at once; N: spread the opens over N ms
JAVA_XMX=${JAVA_XMX:-1g}
JAVA_OPTS=${JAVA_OPTS:-}            # extra JVM flags, e.g. "-XX:+UseParallelGC -Xms1g -Xmn512m" (replaces G1)
# PROFILE=1: every gateway runs with the JDK's flight recorder (CPU and allocation samples), and each of
# round 1's Faultline measurements is summarised from it (ProfileTop.java) into $OUT/profiles/CASE-BODY.md.
# The recorder costs a few per cent: compare figures of runs without it.
PROFILE=${PROFILE:-0}
NGINX_PROXY_WORKERS=${NGINX_PROXY_WORKERS:-$(nproc)}  # same as Faultline's event loops (one per core)
NGINX_UPSTREAM_WORKERS=${NGINX_UPSTREAM_WORKERS:-1}
# The gRPC and WebSocket upstream (BenchUpstream.java, Vert.x): event loops, one like the nginx upstream
BENCH_UPSTREAM_EVENT_LOOPS=${BENCH_UPSTREAM_EVENT_LOOPS:-1}
# Ports (all on 127.0.0.1)
UPSTREAM_PORT=${UPSTREAM_PORT:-18080}
NGINX_PROXY_PORT=${NGINX_PROXY_PORT:-18081}
FAULTLINE_PORT=${FAULTLINE_PORT:-18090}
ADMIN_PORT=${ADMIN_PORT:-18091}
# rate case: the JVM and Vert.x alone (BareVertx.java), answering the small body itself and proxying
VERTX_PORT=${VERTX_PORT:-18140}
VERTX_PROXY_PORT=${VERTX_PROXY_PORT:-18141}
# metrics case: three fresh gateways (the main one's JIT profile holds every other case's paths)
DEFAULTMETRICS_PORT=${DEFAULTMETRICS_PORT:-18096}  # metrics case: the defaults (admin on +1)
NOMETRICS_PORT=${NOMETRICS_PORT:-18092}      # metrics case: --request-metrics false (admin on +1)
VERTXMETRICS_PORT=${VERTXMETRICS_PORT:-18094}  # metrics case: --vertx-metrics true (admin on +1)
# Targets
TARGET_LAT_P50_MS=${TARGET_LAT_P50_MS:-101}
TARGET_LAT_P99_MS=${TARGET_LAT_P99_MS:-105}
TARGET_HOLD_MAX_MS=${TARGET_HOLD_MAX_MS:-5500}
TARGET_HOLD_HEAP_MIB=${TARGET_HOLD_HEAP_MIB:-256}   # issue 19: heap < 256 MiB
TARGET_THREADS_SLACK=${TARGET_THREADS_SLACK:-4}   # JIT compiler threads come and go; event loops must not
TARGET_PROXY_RPS_RATIO=${TARGET_PROXY_RPS_RATIO:-0.5}  # Faultline chaos-off req/s / nginx proxy req/s (the aim is 1.0)
TARGET_CHAOS_ON_RATIO=${TARGET_CHAOS_ON_RATIO:-0.95}   # Faultline chaos-on (all p=0) req/s / chaos-off req/s
TARGET_RATE_P99_EXTRA_MS=${TARGET_RATE_P99_EXTRA_MS:-1.5}  # fixed rate: Faultline p99 - direct p99
TARGET_SMALL_RSS_MB=${TARGET_SMALL_RSS_MB:-200}  # issue 19: at JAVA_XMX <= 128m, every gateway's peak RSS <= 200 MB

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
JAR=${JAR:-$REPO/gateway/target/faultline.jar}
OUT=${OUT:-$(mktemp -d /tmp/faultline-bench.XXXXXX)}
mkdir -p "$OUT"
RESULTS=$OUT/results.tsv   # round  case  body  rps  p50_ms  p99_ms  errors  requests (rps: calls, messages or round trips/s)
HOLD=$OUT/hold.tsv         # round  answered  errors  min_ms  p50_ms  p99_ms  max_ms  thr_before  thr_max  thr_after  heap_before_mib  heap_max_mib  server  heap_kept_max_mib
: >"$RESULTS"
: >"$OUT/windows.tsv"   # round  case  body  start_ms  end_ms: each measurement's window, for PROFILE=1
: >"$HOLD"

for c in $CASES; do
  [[ " $ALL_CASES " == *" $c "* ]] || { echo "CASES: unknown case '$c' (known: $ALL_CASES)" >&2; exit 2; }
done
has_case() { [[ " $CASES " == *" $1 "* ]]; }
# The HTTP cases share one gateway (started only when one of them runs); the others start their own.
HTTP_CASES=false
for c in throughput rate latency hold; do has_case "$c" && HTTP_CASES=true; done

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# The protocol cases: what they share, then each one's settings (environment variables), nginx config
# and case function.
# shellcheck source=/dev/null
for file in chaos protocols https graphql grpc websocket; do source "$HERE/$file.sh"; done

# ---------------------------------------------------------------------------------------------
# 1. Tools
# ---------------------------------------------------------------------------------------------
need_install=()
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || need_install+=(nginx-light)
command -v wrk >/dev/null 2>&1 || need_install+=(wrk)
command -v h2load >/dev/null 2>&1 || need_install+=(nghttp2-client)   # h2load and nghttp
command -v openssl >/dev/null 2>&1 || need_install+=(openssl)
# nginx's echo module (echo_sleep) is the reference for the delayed cases: a server that holds a
# request for exactly the delay, measured by the same client on the same machine.
nginx_modules() { { nginx -V 2>&1 || /usr/sbin/nginx -V 2>&1; } | tr ' ' '\n' | sed -n 's/^--modules-path=//p'; }
ECHO_MODULE=$(nginx_modules 2>/dev/null || true)/ngx_http_echo_module.so
[[ -f $ECHO_MODULE ]] || need_install+=(libnginx-mod-http-echo)
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"
if ((${#need_install[@]})); then
  log "installing ${need_install[*]} (Debian: nginx-light, wrk, nghttp2-client provide nginx, wrk, h2load)"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${need_install[@]}"
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
ECHO_MODULE=$(nginx_modules)/ngx_http_echo_module.so
[[ -f $ECHO_MODULE ]] || die "nginx echo module not found at $ECHO_MODULE (Debian: libnginx-mod-http-echo)"
# gRPC through nginx needs its grpc module (built in unless --without-http_grpc_module) and HTTP/2
nginx_has_grpc() { local v; v=$("$NGINX" -V 2>&1); [[ $v == *--with-http_v2_module* && $v != *--without-http_grpc_module* ]]; }
if has_case grpc && ! nginx_has_grpc; then
  log "this nginx has no grpc_pass: installing nginx-full"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y nginx-full
  nginx_has_grpc || die "$NGINX has no grpc module (nginx -V); the grpc case needs one (Debian: nginx-full)"
fi
for tool in java javac curl jstat awk openssl nghttp; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is required (a JDK 17, curl, gawk/mawk, openssl, nghttp2-client)"
done

if [[ ! -f $JAR ]]; then
  log "building $JAR"
  (cd "$REPO" && { mvn -q -o -DskipTests package || mvn -q -DskipTests package; })
fi

# File descriptors: the held-requests case needs HOLD_REQUESTS sockets in h2load and about
# HOLD_REQUESTS + 1100 in the gateway (client side + upstream pool); each process has its own limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if (($(ulimit -n) < HOLD_REQUESTS + 2048)); then
  die "open-files limit $(ulimit -n) is too low for HOLD_REQUESTS=$HOLD_REQUESTS (need $((HOLD_REQUESTS + 2048)))"
fi

ports=("$UPSTREAM_PORT" "$NGINX_PROXY_PORT" "$FAULTLINE_PORT" "$ADMIN_PORT")
has_case rate && ports+=("$VERTX_PORT" "$VERTX_PROXY_PORT")
has_case metrics && ports+=("$DEFAULTMETRICS_PORT" $((DEFAULTMETRICS_PORT + 1)) "$NOMETRICS_PORT" $((NOMETRICS_PORT + 1))
  "$VERTXMETRICS_PORT" $((VERTXMETRICS_PORT + 1)))
for c in https graphql grpc websocket; do
  has_case "$c" && read -ra case_ports <<<"$("${c}_ports")" && ports+=("${case_ports[@]}")
done
for port in "${ports[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port on 127.0.0.1 is already in use (set UPSTREAM_PORT/NGINX_PROXY_PORT/FAULTLINE_PORT/ADMIN_PORT/VERTX_PORT/VERTX_PROXY_PORT/DEFAULTMETRICS_PORT/NOMETRICS_PORT/VERTXMETRICS_PORT, or a protocol case's *_PORT)"
  fi
done

# ---------------------------------------------------------------------------------------------
# Processes we start, stopped on exit
# ---------------------------------------------------------------------------------------------
PIDS=()          # nginx masters and the JVM: stopped on exit
CLK_TCK=$(getconf CLK_TCK)   # /proc/PID/stat counts CPU time in these
JAVA_PID=""
LOADER_PID=""    # a load generator still running when the script is interrupted
SAMPLER_PID=""   # the jstat sampler of the held-requests case
# memory_of pid...: the peak and current resident memory of each gateway among them (rss.tsv: name, VmHWM
# MiB, VmRSS MiB), read from /proc just before they are stopped
memory_of() {
  local pid name
  for pid in "$@"; do
    name=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | sed -n 's#^.*/state-\(.*\)$#\1#p' | head -1)
    [[ -n $name ]] || continue
    awk -v n="$name" '/^VmHWM:/ { h = $2 } /^VmRSS:/ { r = $2 } END { printf "%s\t%.0f\t%.0f\n", n, h / 1024, r / 1024 }' \
      "/proc/$pid/status" >>"$OUT/rss.tsv" 2>/dev/null || true
  done
}
stop_pids() { # pid...: SIGTERM to all, then up to 10 s each to exit before SIGKILL
  local pid
  memory_of "$@"
  kill -TERM "$@" 2>/dev/null || true
  for pid in "$@"; do
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local pid
  for pid in $LOADER_PID $SAMPLER_PID; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  ((${#PIDS[@]} == 0)) || stop_pids "${PIDS[@]}"
  ((PROFILE)) && summarise_profiles
  log "stopped everything; raw outputs and logs in $OUT"
  exit "$rc"
}
# The profiles of round 1's Faultline measurements, from each gateway's flight recording (written when
# it stopped): $OUT/profiles/CASE-BODY.md
summarise_profiles() {
  local round case body from to gateway
  while IFS=$'\t' read -r round case body from to; do
    case $case in
      fl_*|rate_fl_*) gateway=faultline ;;
      tls_fl_*) gateway=https ;;
      gql_fl_*) gateway=graphql ;;
      grpc_fl_*) gateway=grpc ;;
      ws_fl_*) gateway=websocket ;;
      *) continue ;;
    esac
    [[ $round == 1 && -f $OUT/profiles/$gateway.jfr ]] || continue
    java "$HERE/ProfileTop.java" "$OUT/profiles/$gateway.jfr" "$from" "$to" >"$OUT/profiles/$case-$body.md" 2>&1 \
      || log "could not summarise the profile of $case/$body: $(tail -2 "$OUT/profiles/$case-$body.md")"
  done <"$OUT/windows.tsv"
  log "profiles: $OUT/profiles/*.md"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# stop_started pid...: stops processes this script started before it ends (a case's own gateway and
# upstream) and forgets them, so that cleanup never signals a pid the system has since given to another.
stop_started() {
  local pid kept=()
  stop_pids "$@"
  for pid in "${PIDS[@]}"; do
    [[ " $* " == *" $pid "* ]] || kept+=("$pid")
  done
  PIDS=("${kept[@]}")
}

# ---------------------------------------------------------------------------------------------
# 2. nginx: upstream (static files) and a plain reverse proxy (the reference)
# ---------------------------------------------------------------------------------------------
NGX=$OUT/nginx
mkdir -p "$NGX/www" "$NGX/upstream" "$NGX/proxy"
# nginx workers run as 'nobody' when started as root: let them read the files.
chmod 755 "$OUT" "$NGX" "$NGX/www"
printf '{"id":12345,"name":"faultline-bench","status":"ok","items":[1,2,3,4,5],"note":"small body"}\n' >"$NGX/www/small.json"
head -c 65536 /dev/zero | tr '\0' 'x' >"$NGX/www/64k.bin"
chmod 644 "$NGX/www/"*
SMALL_BYTES=$(stat -c %s "$NGX/www/small.json")

common_http() {
  cat <<EOF
    access_log off;
    keepalive_timeout 120s;
    keepalive_requests 10000000;
    client_body_temp_path $1/client_body;
    proxy_temp_path $1/proxy;
    fastcgi_temp_path $1/fastcgi;
    uwsgi_temp_path $1/uwsgi;
    scgi_temp_path $1/scgi;
EOF
}

# nginx_extra upstream_server|proxy_server|proxy_http: what the selected protocol cases add to the
# upstream's server block, the proxy's server block, or the proxy's http block (their *_nginx_* functions)
nginx_extra() {
  local c
  for c in https graphql grpc websocket; do
    if has_case "$c" && declare -F "${c}_nginx_$1" >/dev/null; then "${c}_nginx_$1"; fi
  done
}
for c in https graphql grpc websocket; do
  if has_case "$c" && declare -F "${c}_prepare" >/dev/null; then "${c}_prepare"; fi   # certificates, request bodies
done

NOFILE=$(ulimit -n)   # nginx may not raise its own limit past the hard one: use what we have
ms_to_s() { awk -v ms="$1" 'BEGIN { printf "%.3f", ms / 1000 }'; }
SMALL_BODY=$(cat "$NGX/www/small.json")
cat >"$NGX/upstream/nginx.conf" <<EOF
load_module $ECHO_MODULE;
worker_processes $NGINX_UPSTREAM_WORKERS;
worker_rlimit_nofile $NOFILE;
pid $NGX/upstream/nginx.pid;
error_log $NGX/upstream/error.log warn;
events { worker_connections $((NOFILE - 512)); multi_accept on; }
http {
$(common_http "$NGX/upstream")
    sendfile on;
    tcp_nopush on;
    server {
        listen 127.0.0.1:$UPSTREAM_PORT backlog=8192;
        root $NGX/www;
        location = /small.json { default_type application/json; }
        location = /64k.bin { default_type application/octet-stream; }
        # references for the delayed cases: the small body after exactly the injected delay
        location = /sleep-latency { default_type application/json; echo_sleep $(ms_to_s "$LATENCY_MS"); echo '$SMALL_BODY'; }
        location = /sleep-hold { default_type application/json; echo_sleep $(ms_to_s "$HOLD_MS"); echo '$SMALL_BODY'; }
$(nginx_extra upstream_server)
    }
}
EOF

cat >"$NGX/proxy/nginx.conf" <<EOF
load_module $ECHO_MODULE;
worker_processes $NGINX_PROXY_WORKERS;
worker_rlimit_nofile $NOFILE;
pid $NGX/proxy/nginx.pid;
error_log $NGX/proxy/error.log warn;
events { worker_connections $((NOFILE - 512)); multi_accept on; }
http {
$(common_http "$NGX/proxy")
    upstream bench_upstream {
        server 127.0.0.1:$UPSTREAM_PORT;
        keepalive 256;
        keepalive_requests 10000000;
        keepalive_timeout 120s;
    }
    server {
        listen 127.0.0.1:$NGINX_PROXY_PORT backlog=8192;
        # references for the delayed cases as a proxy does them: wait, then fetch the small body from
        # the upstream (a subrequest through the proxy location below) and pass it on
        location = /delayed-latency { default_type application/json; echo_sleep $(ms_to_s "$LATENCY_MS"); echo_location /small.json; }
        location = /delayed-hold { default_type application/json; echo_sleep $(ms_to_s "$HOLD_MS"); echo_location /small.json; }
        location / {
            proxy_pass http://bench_upstream;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering on;
            proxy_buffer_size 8k;
            proxy_buffers 16 8k;
            proxy_max_temp_file_size 0;
        }
$(nginx_extra proxy_server)
    }
$(nginx_extra proxy_http)
}
EOF

start_nginx() { # name
  local dir=$NGX/$1
  "$NGINX" -t -q -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" 2>>"$dir/error.log" \
    || die "nginx config $dir/nginx.conf is invalid: $(tail -3 "$dir/error.log")"
  "$NGINX" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" -g 'daemon off;' >>"$dir/stdout.log" 2>&1 &
  PIDS+=($!)
}

wait_http() { # url what
  for _ in $(seq 1 150); do
    curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  die "$2 did not answer on $1"
}

log "starting nginx upstream on 127.0.0.1:$UPSTREAM_PORT and nginx proxy on 127.0.0.1:$NGINX_PROXY_PORT"
start_nginx upstream
start_nginx proxy
NGINX_PROXY_MASTER=${PIDS[-1]}   # its workers' CPU is read in the throughput case
wait_http "http://127.0.0.1:$UPSTREAM_PORT/small.json" "nginx upstream"
wait_http "http://127.0.0.1:$NGINX_PROXY_PORT/small.json" "nginx proxy"

# ---------------------------------------------------------------------------------------------
# 3. Faultline: one process for the HTTP cases (each other case starts its own); chaos switched
#    through the admin API
# ---------------------------------------------------------------------------------------------
faultline_env=()
while IFS='=' read -r name _; do
  [[ $name == FAULTLINE_* ]] && faultline_env+=(-u "$name")
done < <(env)
# -Xms256m and G1; below a 256 MiB heap (JAVA_XMX=128m: the issue's small-heap figure), what the JVM
# picks by itself in a container of twice that heap, where such a heap belongs: the serial collector
# (any container under 1792 MB) and an initial heap of 1/64 of the container's memory (1/32 of the heap).
# Here, with 24 GB, the JVM would start a 128 MiB heap whole and pick G1, whose own tables take some
# 40 MiB more. No collector flag when JAVA_OPTS picks one (the JVM refuses two); a later -Xms in JAVA_OPTS wins.
xmx_mib=$(awk -v x="$JAVA_XMX" 'BEGIN { n = x + 0; u = tolower(substr(x, length(x)))
  printf "%d", (u == "g" ? n * 1024 : u == "m" ? n : u == "k" ? n / 1024 : n / 1048576) }')
JAVA_XMS=256m
JAVA_GC=-XX:+UseG1GC
if ((xmx_mib < 256)); then
  JAVA_XMS=$(((xmx_mib + 31) / 32))m
  JAVA_GC=-XX:+UseSerialGC
fi
[[ " $JAVA_OPTS " =~ \ -XX:\+Use[A-Za-z]+GC\  ]] && JAVA_GC=""
start_faultline() { # name port admin_port [serve flags...]: starts a gateway JVM, prints its pid
  local name=$1 port=$2 admin_port=$3
  shift 3
  local profile=""
  if ((PROFILE)); then
    mkdir -p "$OUT/profiles"
    # DebugNonSafepoints: a sample is placed at the code it hit, not at the nearest call's or loop's debug
    # information (without it, a map that checks nothing showed samples in the check it would call if it had one)
    profile="-XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints -XX:StartFlightRecording=settings=profile,method-profiling=max,dumponexit=true,filename=$OUT/profiles/$name.jfr"
  fi
  # shellcheck disable=SC2086
  env "${faultline_env[@]}" java -Xms"$JAVA_XMS" -Xmx"$JAVA_XMX" $JAVA_GC -Xlog:gc,safepoint:file="$OUT/gc-$name.log":utctime,uptime,level,tags $profile $JAVA_OPTS -jar "$JAR" serve \
    --upstream "http://127.0.0.1:$UPSTREAM_PORT" --http-port "$port" --admin-port "$admin_port" \
    --state-dir "$OUT/state-$name" --seed 42 "$@" >"$OUT/$name.log" 2>&1 &
  echo $!
}

ADMIN=http://127.0.0.1:$ADMIN_PORT   # the gateway that admin and chaos steer; a protocol case points it at its own

# Chaos configs, as sections. "on0" has every fault configured at probability 0 (the decision engine
# runs on every request, nothing is injected); "latency" and "hold" delay every request.
declare -A SEC_LATENCY=(
  [on0]=$ON0_LATENCY
  [latency]='{"fixed_delay_ms":'"$LATENCY_MS"',"probability":1}'
  [hold]='{"fixed_delay_ms":'"$HOLD_MS"',"probability":1}'
)
CHAOS_ON0_EXTRA=""   # a protocol case's own sections at probability 0 (",\"websocket\":{...}"), added to on0

admin() { # method path [json] -> prints body, returns 0 on a 2xx answer
  local answer
  answer=$(curl -sS -X "$1" -H 'Content-Type: application/json' ${3:+--data "$3"} -w '\n%{http_code}' "$ADMIN$2") \
    || die "admin API unreachable ($1 $2)"
  printf '%s\n' "${answer%$'\n'*}"
  [[ ${answer##*$'\n'} == 2* ]]
}

# chaos off|on0|latency|hold: one PUT /api/chaos/config with the whole config (sections included).
# A refusal is a gateway bug: stop with the gateway's answer.
chaos() {
  local mode=$1 whole answer
  if [[ $mode == off ]]; then
    whole='{"enabled":false,"seed":42}'
  else
    whole=$(chaos_config "${SEC_LATENCY[$mode]}" "$CHAOS_ON0_EXTRA")
  fi
  answer=$(admin PUT /api/chaos/config "$whole") || die "PUT /api/chaos/config ($mode) was refused: $answer (body: $whole)"
}

URL_DIRECT=http://127.0.0.1:$UPSTREAM_PORT
URL_NPROXY=http://127.0.0.1:$NGINX_PROXY_PORT
URL_FL=http://127.0.0.1:$FAULTLINE_PORT
URL_VERTX=http://127.0.0.1:$VERTX_PORT
URL_VERTX_PROXY=http://127.0.0.1:$VERTX_PROXY_PORT

# Sanity: every path returns the right bodies, and chaos config changes take effect.
check_body() { # url expected_bytes [curl flags...]
  local got url=$1 bytes=$2
  shift 2
  got=$(curl -fsS --max-time 10 -o /dev/null -w '%{http_code} %{size_download}' "$@" "$url") || die "GET $url failed"
  [[ $got == "200 $bytes" ]] || die "GET $url: expected '200 $bytes', got '$got'"
}
for base in "$URL_DIRECT" "$URL_NPROXY"; do
  check_body "$base/small.json" "$SMALL_BYTES"
  check_body "$base/64k.bin" 65536
done
if $HTTP_CASES; then
  log "starting Faultline ($JAR) on 127.0.0.1:$FAULTLINE_PORT, admin 127.0.0.1:$ADMIN_PORT"
  JAVA_PID=$(start_faultline faultline "$FAULTLINE_PORT" "$ADMIN_PORT")
  PIDS+=("$JAVA_PID")
  wait_http "http://127.0.0.1:$ADMIN_PORT/health" "Faultline admin API"
  wait_http "$URL_FL/small.json" "Faultline listener"
  check_body "$URL_FL/small.json" "$SMALL_BYTES"
  check_body "$URL_FL/64k.bin" 65536
  check_body "$URL_NPROXY/delayed-latency" "$SMALL_BYTES"
  chaos latency
  t=$(curl -fsS -o /dev/null -w '%{time_total}' "$URL_FL/small.json")
  awk -v t="$t" -v ms="$LATENCY_MS" 'BEGIN { exit !(t * 1000 >= ms) }' \
    || die "chaos latency did not apply through the admin API (request took ${t}s)"
  chaos on0
  check_body "$URL_FL/small.json" "$SMALL_BYTES"
  chaos off
  log "sanity checks passed (bodies: small ${SMALL_BYTES} B, 64 KiB; runtime chaos switching works)"
  if has_case rate; then
    # the fixed-rate case's floor: the JVM and Vert.x with nothing of Faultline's, on the gateway's JVM flags
    mkdir -p "$OUT/classes"
    javac -cp "$JAR" -d "$OUT/classes" "$HERE/BareVertx.java" || die "could not compile $HERE/BareVertx.java"
    # shellcheck disable=SC2086
    java -Xms"$JAVA_XMS" -Xmx"$JAVA_XMX" $JAVA_GC $JAVA_OPTS -cp "$JAR:$OUT/classes" BareVertx "$VERTX_PORT" "$VERTX_PROXY_PORT" \
      "$UPSTREAM_PORT" "$NGX/www/small.json" >"$OUT/bare-vertx.log" 2>&1 &
    BARE_PID=$!
    PIDS+=("$BARE_PID")
    wait_http "http://127.0.0.1:$VERTX_PORT/small.json" "bare Vert.x server"
    check_body "http://127.0.0.1:$VERTX_PORT/small.json" "$SMALL_BYTES"
    check_body "http://127.0.0.1:$VERTX_PROXY_PORT/small.json" "$SMALL_BYTES"
  fi
fi

# ---------------------------------------------------------------------------------------------
# Measurement helpers
# ---------------------------------------------------------------------------------------------
# wrk prints latencies as 512.00us / 1.23ms / 1.05s / 1.00m
to_ms() { awk -v v="$1" 'BEGIN {
  if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
  else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
  else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
  else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
  else printf "nan" }'; }

# record round case body rps p50_ms p99_ms errors requests: one line of results.tsv, and the measurement's
# window (from measuring's call to now, epoch ms) in windows.tsv for the profiles
record() {
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$MEASURING_MS" "$(date +%s%3N)" >>"$OUT/windows.tsv"
}
measuring() { MEASURING_MS=$(date +%s%3N); }

# CPU ticks (user + system) the processes PIDS... have used so far
cpu_ticks() { local pid sum=0; for pid in "$@"; do sum=$((sum + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0))); done; echo "$sum"; }

run_wrk() { # round case body url connections [wrk flags...]; with CPU_OF="PIDS", also the CPU those spent per request
  local round=$1 case=$2 body=$3 url=$4 conns=$5
  shift 5
  local file=$OUT/wrk-$case-$body-r$round.txt ticks_before=""
  # shellcheck disable=SC2086
  [[ -z ${CPU_OF:-} ]] || ticks_before=$(cpu_ticks $CPU_OF)
  measuring
  wrk -t"$WRK_THREADS" -c"$conns" -d"${DURATION}s" --timeout 10s --latency "$@" "$url" >"$file" 2>&1 \
    || die "wrk failed for $case/$body: $(tail -3 "$file")"
  local rps p50 p99 errors requests
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$file")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2; exit }' "$file")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2; exit }' "$file")")
  requests=$(awk '/requests in/ { print $1; exit }' "$file")
  errors=$(awk '/Non-2xx or 3xx responses:/ { n += $NF }
                /Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 }
                END { print n + 0 }' "$file")
  [[ -n $rps && -n $requests ]] || die "could not parse $file"
  record "$round" "$case" "$body" "$rps" "$p50" "$p99" "$errors" "$requests"
  local cpu=""
  if [[ -n $ticks_before ]]; then
    # shellcheck disable=SC2086
    cpu=$(awk -v a="$ticks_before" -v b="$(cpu_ticks $CPU_OF)" -v hz="$CLK_TCK" -v n="$requests" 'BEGIN { printf "%.1f", (b - a) / hz * 1e6 / n }')
    printf '%s\t%s\t%s\t%s\n' "$round" "$case" "$body" "$cpu" >>"$OUT/cpu.tsv"
    cpu=", ${cpu} µs of CPU a request"
  fi
  log "  $case/$body: $rps req/s, p50 ${p50} ms, p99 ${p99} ms, errors $errors$cpu"
}

# Percentiles (nearest rank) of an h2load --log-file (columns: start_us, status, duration_us; status -1
# for a failed stream). Prints "total ok bad min p50 p99 max p99.9": counts, then ms over the 2xx/3xx answers.
h2load_stats() {
  awk -F'\t' '{ n++; if ($2 >= 200 && $2 < 400) d[++ok] = $3 / 1000; else bad++ }
    END { printf "%d %d %d", n, ok, bad; if (!ok) { print " nan nan nan nan nan"; exit }
          for (i = int(ok / 2); i >= 1; i--) sift(d, i, ok)          # heap sort: portable to mawk
          for (i = ok; i > 1; i--) { t = d[1]; d[1] = d[i]; d[i] = t; sift(d, 1, i - 1) }
          printf " %.3f %.3f %.3f %.3f %.3f\n", d[1], d[rank(0.50, ok)], d[rank(0.99, ok)], d[ok], d[rank(0.999, ok)] }
    function rank(p, n,   r) { r = int(p * n); if (r < p * n) r++; return r < 1 ? 1 : r }
    function sift(a, i, n,   c, t) { while ((c = 2 * i) <= n) { if (c < n && a[c + 1] > a[c]) c++
          if (a[i] >= a[c]) return; t = a[i]; a[i] = a[c]; a[c] = t; i = c } }' "$1"
}
# "requests: N total, N started, N done, N succeeded, N failed, N errored, N timeout" -> failed
h2load_failed() { awk '/^requests:/ { gsub(/,/, ""); print $10 + 0; exit }' "$1"; }

run_rate() { # round case url
  local round=$1 case=$2 url=$3
  local file=$OUT/h2load-$case-r$round.txt reqlog=$OUT/h2load-$case-r$round.log
  measuring
  local per_client=$(((RATE + RATE_CLIENTS - 1) / RATE_CLIENTS))
  timeout $((DURATION + 60)) h2load --h1 -t 1 -c "$RATE_CLIENTS" --rps "$per_client" -D "$DURATION" \
    --log-file "$reqlog" "$url" >"$file" 2>&1 || die "h2load failed for $case: $(tail -3 "$file")"
  local count ok bad min p50 p99 max p999 failed errors
  read -r count ok bad min p50 p99 max p999 < <(h2load_stats "$reqlog")
  failed=$(h2load_failed "$file")
  errors=$((bad > ${failed:-0} ? bad : ${failed:-0}))
  local rps
  rps=$(awk -v n="$count" -v d="$DURATION" 'BEGIN { printf "%.2f", n / d }')
  record "$round" "$case" small "$rps" "$p50" "$p99" "$errors" "$count"
  printf '%s\t%s\t%s\t%s\n' "$case" "$round" "$p999" "$max" >>"$OUT/rate-tail.tsv"
  log "  $case: $rps req/s (target $RATE), p50 ${p50} ms, p99 ${p99} ms, p99.9 ${p999} ms, errors $errors"
}

threads_of() { awk '/^Threads:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
# Heap in use (MiB) from `jstat -gc` lines (read from the JVM's perf counters: no attach, so no
# extra thread in the gateway): S0U+S1U+EU+OU. One value per sample line.
jstat_heap_mib() {
  awk '$1 == "S0C" { for (i = 1; i <= NF; i++) c[$i] = i; next }
       c["EU"] { printf "%.1f\n", ($c["S0U"] + $c["S1U"] + $c["EU"] + $c["OU"]) / 1024 }'
}
heap_mib() { jstat -gc "$1" 2>/dev/null | jstat_heap_mib | tail -1; }
# Heap kept (MiB) from the same lines: survivors and old generation (S0U+S1U+OU) just after each young
# collection (the first line whose YGC+FGC count moved), i.e. what survived it, without eden's garbage. An
# upper bound of the live heap: the old generation keeps dead objects until a mixed collection. One
# value per collection; none when no collection happened.
jstat_live_mib() {
  awk '$1 == "S0C" { for (i = 1; i <= NF; i++) c[$i] = i; next }
       c["EU"] { n = $c["YGC"] + $c["FGC"]; if (seen && n != last) printf "%.1f\n", ($c["S0U"] + $c["S1U"] + $c["OU"]) / 1024; last = n; seen = 1 }'
}
# jstat_peaks(jstat_file, heap_before): "HEAP_MAX LIVE_MAX" of a sampled `jstat -gc` file: the heap in use
# at its highest (at least heap_before), and the heap kept after a young collection at its highest ("n/a"
# when no collection happened). Shared by the held requests and the idle WebSockets.
jstat_peaks() {
  local heap live
  heap=$(jstat_heap_mib <"$1" | awk -v m="${2:-0}" '$1 + 0 > m + 0 { m = $1 } END { print m }')
  live=$(jstat_live_mib <"$1" | awk '$1 + 0 > m + 0 { m = $1 } END { print (m == "" ? "n/a" : m) }')
  echo "$heap $live"
}

# held(connections, url, logfile, outfile): h2load opens the connections (all at once, or spread over
# HOLD_RAMP_MS) and sends one request on each, so they are all in flight together; each request is
# timed from its own send to its last byte.
held() {
  local ramp=()
  if ((HOLD_RAMP_MS > 0)); then
    local periods=$(((HOLD_RAMP_MS + 99) / 100))
    ramp=(-r $((($1 + periods - 1) / periods)) --rate-period 100ms)
  fi
  timeout $((HOLD_MS / 1000 + 90)) h2load --h1 -t 2 -c "$1" -n "$1" "${ramp[@]}" --log-file "$3" "$2" >"$4" 2>&1
}

run_hold() { # round server(faultline|nginx|nginx_proxy)
  local round=$1 server=$2
  local file=$OUT/h2load-hold-$server-r$round.txt reqlog=$OUT/h2load-hold-$server-r$round.log
  local samples=$OUT/hold-threads-r$round.tsv jstat_out=$OUT/hold-jstat-r$round.txt
  local url=$URL_FL/small.json
  local thr_before=- heap_before=- thr_after=- thr_max=- heap_max=- live_max=-
  if [[ $server == nginx ]]; then
    url=$URL_DIRECT/sleep-hold
  elif [[ $server == nginx_proxy ]]; then
    url=$URL_NPROXY/delayed-hold
  else
    chaos hold
    sleep 1
    thr_before=$(threads_of "$JAVA_PID")
    heap_before=$(heap_mib "$JAVA_PID")
    heap_before=${heap_before:-0}
    : >"$samples"
    # one jstat process sampling every 250 ms (a jstat per sample would cost a JVM start each time)
    jstat -gc "$JAVA_PID" 250 >"$jstat_out" 2>&1 &
    SAMPLER_PID=$!
  fi
  held "$HOLD_REQUESTS" "$url" "$reqlog" "$file" &
  LOADER_PID=$!
  local loader=$LOADER_PID
  while kill -0 "$loader" 2>/dev/null; do
    [[ $server != faultline ]] || printf '%s\t%s\n' "$(date +%s.%N)" "$(threads_of "$JAVA_PID")" >>"$samples"
    sleep 0.25
  done
  local loader_rc=0
  wait "$loader" || loader_rc=$?
  LOADER_PID=""
  ((loader_rc == 0)) || die "h2load (held requests, $server) failed ($loader_rc): $(tail -5 "$file")"
  if [[ $server == faultline ]]; then
    sleep 2
    kill -TERM "$SAMPLER_PID" 2>/dev/null || true
    wait "$SAMPLER_PID" 2>/dev/null || true
    SAMPLER_PID=""
    thr_after=$(threads_of "$JAVA_PID")
    thr_max=$(awk -F'\t' -v m="$thr_after" '$2 > m { m = $2 } END { print m }' "$samples")
    read -r heap_max live_max < <(jstat_peaks "$jstat_out" "$heap_before")
  fi
  local count ok bad min p50 p99 max _p999 errors
  read -r count ok bad min p50 p99 max _p999 < <(h2load_stats "$reqlog")
  errors=$((HOLD_REQUESTS - ok))   # anything but a 2xx/3xx answer, including requests never answered
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$ok" "$errors" "$min" "$p50" "$p99" "$max" \
    "$thr_before" "$thr_max" "$thr_after" "$heap_before" "$heap_max" "$server" "$live_max" >>"$HOLD"
  log "  hold ($server): $ok answered, errors $errors, min/p50/p99/max ${min}/${p50}/${p99}/${max} ms," \
    "threads $thr_before -> max $thr_max -> $thr_after, heap ${heap_before} -> max ${heap_max} MiB (kept after a collection: at most ${live_max} MiB)"
  [[ $server != faultline ]] || chaos off
  sleep 2
}

# ---------------------------------------------------------------------------------------------
# Warm-up (JIT) and rounds
# ---------------------------------------------------------------------------------------------
warm() { # label connections url [wrk flags...]
  local rps label=$1 conns=$2 url=$3
  shift 3
  rps=$(wrk -t"$WRK_THREADS" -c"$conns" -d"${WARMUP}s" "$@" "$url" 2>&1 | awk '/^Requests\/sec:/ { print $2 }') || true
  log "  warm-up $label: ${rps:-?} req/s"
}
if ((WARMUP > 0)) && $HTTP_CASES; then
  log "warm-up: ${WARMUP}s per Faultline path (JIT)"
  if has_case throughput || has_case rate; then
    for mode in off on0; do
      chaos "$mode"
      warm "chaos $mode, small" "$WRK_CONNECTIONS" "$URL_FL/small.json"
      has_case throughput && warm "chaos $mode, 64 KiB" "$WRK_CONNECTIONS" "$URL_FL/64k.bin"
      if has_case rate; then
        # h2load's requests are not wrk's (other headers, new connections at a steady pace): without
        # this, C2 deoptimises dozens of header-parsing methods in the first measured fixed-rate second
        timeout $((WARMUP + 60)) h2load --h1 -t 1 -c "$RATE_CLIENTS" --rps $(((RATE + RATE_CLIENTS - 1) / RATE_CLIENTS)) \
          -D "$WARMUP" "$URL_FL/small.json" >/dev/null 2>&1 || true
        log "  warm-up chaos $mode, fixed rate: done"
      fi
    done
  fi
  if has_case rate; then
    for url in "$URL_VERTX" "$URL_VERTX_PROXY"; do
      warm "bare Vert.x $url" "$WRK_CONNECTIONS" "$url/small.json"
      timeout $((WARMUP + 60)) h2load --h1 -t 1 -c "$RATE_CLIENTS" --rps $(((RATE + RATE_CLIENTS - 1) / RATE_CLIENTS)) \
        -D "$WARMUP" "$url/small.json" >/dev/null 2>&1 || true
    done
  fi
  chaos latency
  if has_case latency; then
    warm "${LATENCY_MS} ms latency" "$LATENCY_CONNECTIONS" "$URL_FL/small.json"
  fi
  if has_case hold; then
    # new connections (accept, pipeline set-up, first request) are a path of their own: the held-
    # requests case opens thousands at once
    has_case latency || warm "${LATENCY_MS} ms latency" "$LATENCY_CONNECTIONS" "$URL_FL/small.json"
    for _ in 1 2 3 4; do
      held 2500 "$URL_FL/small.json" /dev/null /dev/null || true
    done
    log "  warm-up: 10000 new connections with ${LATENCY_MS} ms latency"
  fi
  chaos off
fi

for round in $(seq 1 "$ROUNDS"); do
  $HTTP_CASES || break
  log "round $round/$ROUNDS"
  if has_case throughput; then
    for body in small 64k; do
      path=/small.json
      [[ $body == 64k ]] && path=/64k.bin
      run_wrk "$round" direct "$body" "$URL_DIRECT$path" "$WRK_CONNECTIONS"
      CPU_OF="$(pgrep -P "$NGINX_PROXY_MASTER" | tr '\n' ' ')" run_wrk "$round" nginx_proxy "$body" "$URL_NPROXY$path" "$WRK_CONNECTIONS"
      # chaos off and on alternate which goes first from round to round
      for mode in $( ((round % 2)) && echo off on0 || echo on0 off); do
        chaos "$mode"
        CPU_OF=$JAVA_PID run_wrk "$round" "fl_$mode" "$body" "$URL_FL$path" "$WRK_CONNECTIONS"
      done
      chaos off
    done
  fi
  if has_case rate; then
    run_rate "$round" rate_direct "$URL_DIRECT/small.json"
    run_rate "$round" rate_nginx_proxy "$URL_NPROXY/small.json"
    run_rate "$round" rate_vertx "$URL_VERTX/small.json"
    run_rate "$round" rate_vertx_proxy "$URL_VERTX_PROXY/small.json"
    chaos off
    run_rate "$round" rate_fl_off "$URL_FL/small.json"
    chaos on0
    run_rate "$round" rate_fl_on0 "$URL_FL/small.json"
    chaos off
  fi
  if has_case latency; then
    run_wrk "$round" ref_latency small "$URL_DIRECT/sleep-latency" "$LATENCY_CONNECTIONS"
    run_wrk "$round" ref_latency_proxy small "$URL_NPROXY/delayed-latency" "$LATENCY_CONNECTIONS"
    chaos latency
    run_wrk "$round" fl_latency small "$URL_FL/small.json" "$LATENCY_CONNECTIONS"
    chaos off
  fi
  if has_case hold; then
    run_hold "$round" nginx
    run_hold "$round" nginx_proxy
    run_hold "$round" faultline
  fi
done
[[ -n ${BARE_PID:-} ]] && stop_started "$BARE_PID"  # the rate case is over

# ---------------------------------------------------------------------------------------------
# Metrics case, after the rounds of the others (so its two extra JVMs never share the machine with
# them): the default gateway (request metrics on) against one without request metrics and one with
# Vert.x's metrics too, chaos off, interleaved over ROUNDS rounds; then the meters' own cost.
# ---------------------------------------------------------------------------------------------
if has_case metrics; then
  URL_FL_DEFAULTMETRICS=http://127.0.0.1:$DEFAULTMETRICS_PORT
  URL_FL_NOMETRICS=http://127.0.0.1:$NOMETRICS_PORT
  URL_FL_VERTXMETRICS=http://127.0.0.1:$VERTXMETRICS_PORT
  log "metrics case: fresh gateways with the defaults on :$DEFAULTMETRICS_PORT, without request metrics on" \
    ":$NOMETRICS_PORT, with Vert.x metrics too on :$VERTXMETRICS_PORT"
  METRICS_PIDS=("$(start_faultline default-metrics "$DEFAULTMETRICS_PORT" $((DEFAULTMETRICS_PORT + 1)))"
    "$(start_faultline no-metrics "$NOMETRICS_PORT" $((NOMETRICS_PORT + 1)) --request-metrics false)"
    "$(start_faultline vertx-metrics "$VERTXMETRICS_PORT" $((VERTXMETRICS_PORT + 1)) --vertx-metrics true)")
  PIDS+=("${METRICS_PIDS[@]}")
  wait_http "http://127.0.0.1:$DEFAULTMETRICS_PORT/small.json" "Faultline (defaults)"
  wait_http "http://127.0.0.1:$NOMETRICS_PORT/small.json" "Faultline (no request metrics)"
  wait_http "http://127.0.0.1:$VERTXMETRICS_PORT/small.json" "Faultline (Vert.x metrics)"
  for base in "$URL_FL_DEFAULTMETRICS" "$URL_FL_NOMETRICS" "$URL_FL_VERTXMETRICS"; do
    check_body "$base/small.json" "$SMALL_BYTES"
    check_body "$base/64k.bin" 65536
  done
  scraped=$(curl -fsS "http://127.0.0.1:$((NOMETRICS_PORT + 1))/metrics")
  [[ $scraped != *$'\n'faultline_requests_total* ]] || die "--request-metrics false still counts requests"
  scraped=$(curl -fsS "http://127.0.0.1:$((VERTXMETRICS_PORT + 1))/metrics")
  [[ $scraped == *$'\n'vertx_http_server_requests_total* ]] || die "--vertx-metrics true shows no Vert.x metrics"
  if ((WARMUP > 0)); then
    log "metrics warm-up: ${WARMUP}s per gateway and body (JIT)"
    for url in "$URL_FL_DEFAULTMETRICS" "$URL_FL_NOMETRICS" "$URL_FL_VERTXMETRICS"; do
      warm "$url, small" "$WRK_CONNECTIONS" "$url/small.json"
      warm "$url, 64 KiB" "$WRK_CONNECTIONS" "$url/64k.bin"
    done
  fi
  for round in $(seq 1 "$ROUNDS"); do
    log "metrics round $round/$ROUNDS"
    for body in small 64k; do
      path=/small.json
      [[ $body == 64k ]] && path=/64k.bin
      run_wrk "$round" m_default "$body" "$URL_FL_DEFAULTMETRICS$path" "$WRK_CONNECTIONS"
      run_wrk "$round" m_nometrics "$body" "$URL_FL_NOMETRICS$path" "$WRK_CONNECTIONS"
      run_wrk "$round" m_vertxmetrics "$body" "$URL_FL_VERTXMETRICS$path" "$WRK_CONNECTIONS"
    done
  done
  stop_started "${METRICS_PIDS[@]}"

  # The metrics' own cost per request, without the noise of a whole proxy around it: two threads (as
  # two event loops) reporting completed requests to the real meters, in a JVM of its own.
  log "metrics: nanoseconds per reported request (MetricsCost.java)"
  java -cp "$JAR" "$HERE/MetricsCost.java" >"$OUT/metrics-cost.tsv" 2>&1 || die "MetricsCost failed: $(tail -3 "$OUT/metrics-cost.tsv")"
fi

# ---------------------------------------------------------------------------------------------
# Protocol cases, each with its own gateway (and upstream where nginx is not it), stopped when done
# ---------------------------------------------------------------------------------------------
for c in https graphql grpc websocket; do
  if has_case "$c"; then "case_$c"; fi
done

# ---------------------------------------------------------------------------------------------
# 4. Report
# ---------------------------------------------------------------------------------------------
REPORT=$OUT/report.md
[[ -z $JAVA_PID ]] || memory_of "$JAVA_PID"   # the HTTP cases' gateway runs until the script exits
awk -F'\t' -f "$HERE/median.awk" -f "$HERE/report.awk" -v rounds="$ROUNDS" -v duration="$DURATION" -v wrk_t="$WRK_THREADS" -v wrk_c="$WRK_CONNECTIONS" \
  -v rate="$RATE" -v rate_c="$RATE_CLIENTS" -v lat_ms="$LATENCY_MS" -v lat_c="$LATENCY_CONNECTIONS" \
  -v hold_n="$HOLD_REQUESTS" -v hold_ms="$HOLD_MS" -v t_p50="$TARGET_LAT_P50_MS" -v t_p99="$TARGET_LAT_P99_MS" \
  -v t_hold_max="$TARGET_HOLD_MAX_MS" -v t_heap="$TARGET_HOLD_HEAP_MIB" -v t_slack="$TARGET_THREADS_SLACK" \
  -v t_ratio="$TARGET_PROXY_RPS_RATIO" -v t_on_ratio="$TARGET_CHAOS_ON_RATIO" -v t_rate_p99="$TARGET_RATE_P99_EXTRA_MS" \
  -v hold_file="$HOLD" -v ramp_ms="$HOLD_RAMP_MS" -v cases=" $CASES " \
  -v grpc_c="$GRPC_CONNECTIONS" -v grpc_m="$GRPC_STREAMS" -v grpc_msgs="$GRPC_STREAM_MESSAGES" -v ws_c="$WS_CONNECTIONS" \
  -v ws_bytes="$WS_MESSAGE_BYTES" -v t_tls="$TARGET_TLS_RPS_RATIO" -v t_gql="$TARGET_GRAPHQL_RATIO" -v t_grpc="$TARGET_GRPC_RATIO" \
  -v t_ws="$TARGET_WS_RATIO" "$RESULTS" >"$REPORT" && report_rc=0 || report_rc=$?
if has_case metrics; then
  {
    printf '\n### Per-request metrics, nanoseconds per request (2 threads reporting at once; 2 rounds)\n\n'
    printf '| meters | ns per request |\n|---|---|\n'
    awk -F'\t' '{ v[$1] = v[$1] (v[$1] == "" ? "" : ", ") $2 } END {
      print "| Prometheus meters (`ChaosMeterBinder`) | " v["binder"] " |"
      print "| orchestration window (`TrafficRecorder`) | " v["recorder"] " |"
      print "| both (a gateway with request metrics on) | " v["both"] " |" }' "$OUT/metrics-cost.tsv"
  } >>"$REPORT"
fi
for c in https graphql grpc websocket; do
  if has_case "$c" && declare -F "${c}_report" >/dev/null; then "${c}_report" >>"$REPORT"; fi
done
if [[ -s $OUT/cpu.tsv ]]; then # what a request costs the proxy, steadier than req/s on a shared machine
  {
    printf '\n### CPU per proxied request (user + system, from /proc), median over the rounds\n\n'
    printf '| body | nginx proxy (its workers) | Faultline chaos off | chaos on (p=0) | nginx / Faultline off |\n|---|---:|---:|---:|---:|\n'
    awk -F'\t' -f "$HERE/median.awk" -f <(printf '%s\n' '{ key = $2 "/" $3; val[key, ++cnt[key], 4] = $4 }
      END { split("small 64k", bodies, " ")
        for (b = 1; b <= 2; b++) { n = median("nginx_proxy/" bodies[b], 4); f = median("fl_off/" bodies[b], 4); o = median("fl_on0/" bodies[b], 4)
          if (f != "nan") printf "| %s | %.1f µs | %.1f µs | %.1f µs | %.2f |\n", bodies[b], n, f, o, n / f } }') "$OUT/cpu.tsv"
  } >>"$REPORT"
fi
if [[ -s $OUT/rate-tail.tsv ]]; then # issue 19: at the fixed rate, Faultline's p99.9 <= 1.5 ms (a reading)
  {
    printf '\n### Fixed rate (%s req/s): the tail, median over the rounds\n\n| case | p99.9 ms | max ms |\n|---|---:|---:|\n' "$RATE"
    awk -F'\t' '{ if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } v[$1, ++c[$1]] = $3; m[$1, c[$1]] = $4 }
      function med(k, a,   i, j, t, x) { for (i = 1; i <= c[k]; i++) x[i] = a[k, i] + 0
        for (i = 2; i <= c[k]; i++) for (j = i; j > 1 && x[j - 1] > x[j]; j--) { t = x[j]; x[j] = x[j - 1]; x[j - 1] = t }
        return x[int((c[k] + 1) / 2)] }
      END { for (i = 1; i <= n; i++) printf "| %s | %.2f | %.2f |\n", order[i], med(order[i], v), med(order[i], m) }' "$OUT/rate-tail.tsv"
  } >>"$REPORT"
fi
if [[ -s $OUT/rss.tsv ]]; then
  {
    printf '\n### Resident memory of the gateways (JAVA_XMX=%s; read when each case stopped it)\n\n' "$JAVA_XMX"
    printf '| gateway | peak RSS (VmHWM) | RSS when stopped |\n|---|---|---|\n'
    awk -F'\t' '{ printf "| %s | %s MiB | %s MiB |\n", $1, $2, $3 }' "$OUT/rss.tsv"
  } >>"$REPORT"
  if ((xmx_mib <= 128)); then # issue 19: at -Xmx128m, RSS <= 200 MB (decimal megabytes) for every gateway
    awk -F'\t' -v t="$TARGET_SMALL_RSS_MB" '{ mb = $2 * 1.048576; if (mb > worst) { worst = mb; who = $1 } }
      END { ok = worst <= t; printf "\nTarget: peak RSS <= %d MB at JAVA_XMX <= 128m: %.0f MB (%s) %s\n", t, worst, who, ok ? "PASS" : "**FAIL**"
            exit ok ? 0 : 3 }' "$OUT/rss.tsv" >>"$REPORT" || report_rc=3
  fi
fi
cat "$REPORT"
log "report: $REPORT"
exit "$report_rc"
