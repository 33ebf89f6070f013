#!/usr/bin/env bash
# The tcp listener's cost: bytes/s and round-trip latency through Faultline's tcp listener, next to the
# same traffic direct to the upstream and through nginx's stream proxy. Run by hand; never in CI.
#
#   deploy/bench/tcp.sh                          # 3 rounds, 10 s per throughput measurement (about 4 minutes)
#   ROUNDS=1 DURATION=3 WARMUP=5 deploy/bench/tcp.sh   # smoke run (about 1 minute)
#
# Everything listens on and talks to 127.0.0.1 only. See README.md beside this file (tcp.sh).
set -euo pipefail

ROUNDS=${ROUNDS:-3}          # interleaved rounds; the report shows the median over rounds
DURATION=${DURATION:-10}     # seconds of each throughput measurement (after 1 s unmeasured)
PINGS=${PINGS:-20000}        # round trips of 64 bytes per latency measurement (plus a tenth unmeasured)
WARMUP=${WARMUP:-15}         # seconds of each Faultline path before round 1 (C2 needs load to compile)
JAVA_XMX=${JAVA_XMX:-512m}
UPSTREAM_PORT=${UPSTREAM_PORT:-18180}
NGINX_PORT=${NGINX_PORT:-18181}
FAULTLINE_PORT=${FAULTLINE_PORT:-18190}
ADMIN_PORT=${ADMIN_PORT:-18191}
TOXIPROXY_PORT=${TOXIPROXY_PORT:-18192}
TOXIC_PORT=${TOXIC_PORT:-18193}  # a second proxy made through the Toxiproxy API, with a latency toxic of 0 ms

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
JAR=${JAR:-$REPO/gateway/target/faultline.jar}
OUT=${OUT:-$(mktemp -d /tmp/faultline-tcp-bench.XXXXXX)}
mkdir -p "$OUT"
RESULTS=$OUT/results.tsv   # round  path  metric  value
: >"$RESULTS"

LOG_TAG=tcp-bench
# shellcheck source=standalone.sh
source "$HERE/standalone.sh"

# 1. What it needs: nginx with its stream module (Debian: libnginx-mod-stream), a JDK, the jar.
nginx_modules() { { nginx -V 2>&1 || /usr/sbin/nginx -V 2>&1; } | tr ' ' '\n' | sed -n 's/^--modules-path=//p'; }
need_install=()
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || need_install+=(nginx-light)
STREAM_MODULE=$(nginx_modules 2>/dev/null || true)/ngx_stream_module.so
[[ -f $STREAM_MODULE ]] || need_install+=(libnginx-mod-stream)
install_missing "${need_install[@]}"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
STREAM_MODULE=$(nginx_modules)/ngx_stream_module.so
[[ -f $STREAM_MODULE ]] || die "nginx stream module not found at $STREAM_MODULE (Debian: libnginx-mod-stream)"
tools_and_jar
ports_free "UPSTREAM_PORT, NGINX_PORT, FAULTLINE_PORT, ADMIN_PORT, TOXIPROXY_PORT, TOXIC_PORT" \
  "$UPSTREAM_PORT" "$NGINX_PORT" "$FAULTLINE_PORT" "$ADMIN_PORT" "$TOXIPROXY_PORT" "$TOXIC_PORT"
javac -d "$OUT/classes" "$HERE/TcpBench.java"
bench() { java -cp "$OUT/classes" TcpBench "$@"; }

# 2. The processes (PIDS, stopped on exit: standalone.sh).

wait_port() { # port what
  for _ in $(seq 1 150); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.2
  done
  die "$2 did not listen on $1"
}

java -cp "$OUT/classes" TcpBench server "$UPSTREAM_PORT" >"$OUT/upstream.log" 2>&1 & # not through bench(): $! must be the JVM
PIDS+=($!)
wait_port "$UPSTREAM_PORT" "the upstream"

# nginx's stream proxy with one worker: a connection is served by one worker, as by Faultline's one event loop.
mkdir -p "$OUT/nginx"
cat >"$OUT/nginx/nginx.conf" <<CONF
load_module $STREAM_MODULE;
worker_processes 1;
pid $OUT/nginx/nginx.pid;
error_log $OUT/nginx/error.log warn;
events { worker_connections 1024; }
stream {
    server {
        listen 127.0.0.1:$NGINX_PORT;
        proxy_pass 127.0.0.1:$UPSTREAM_PORT;
    }
}
CONF
"$NGINX" -t -q -p "$OUT/nginx" -c "$OUT/nginx/nginx.conf" 2>>"$OUT/nginx/error.log" || die "nginx config is invalid: $(tail -3 "$OUT/nginx/error.log")"
"$NGINX" -p "$OUT/nginx" -c "$OUT/nginx/nginx.conf" -g 'daemon off;' >>"$OUT/nginx/stdout.log" 2>&1 &
PIDS+=($!)
wait_port "$NGINX_PORT" "nginx"

# Faultline, chaos off: its tcp listener is a plain pipe. A second proxy, made through the Toxiproxy API,
# carries a latency toxic of 0 ms each way: the chaos path (every chunk through the toxic chain and queue).
java -Xmx"$JAVA_XMX" -XX:+UseG1GC -jar "$JAR" serve --state-dir "$OUT/state" --http-port 0 --admin-port "$ADMIN_PORT" \
  --tcp-upstream "127.0.0.1:$UPSTREAM_PORT" --tcp-port "$FAULTLINE_PORT" --toxiproxy-port "$TOXIPROXY_PORT" \
  --recorder false >"$OUT/faultline.log" 2>&1 &
PIDS+=($!)
wait_port "$FAULTLINE_PORT" "Faultline"
wait_port "$TOXIPROXY_PORT" "Faultline's Toxiproxy API"
curl -fsS -o /dev/null -X POST "http://127.0.0.1:$TOXIPROXY_PORT/proxies" \
  -d "{\"name\": \"toxic\", \"listen\": \"127.0.0.1:$TOXIC_PORT\", \"upstream\": \"127.0.0.1:$UPSTREAM_PORT\"}"
for stream in upstream downstream; do
  curl -fsS -o /dev/null -X POST "http://127.0.0.1:$TOXIPROXY_PORT/proxies/toxic/toxics" \
    -d "{\"type\": \"latency\", \"stream\": \"$stream\", \"attributes\": {\"latency\": 0}}"
done

declare -A PORT_OF=([direct]=$UPSTREAM_PORT [faultline]=$FAULTLINE_PORT [faultline_toxic]=$TOXIC_PORT [nginx]=$NGINX_PORT)
PATHS=(direct faultline faultline_toxic nginx)

log "warming up Faultline's paths (${WARMUP} s each)"
for path in faultline faultline_toxic; do
  bench throughput "${PORT_OF[$path]}" "$WARMUP" >/dev/null
  bench latency "${PORT_OF[$path]}" "$PINGS" >/dev/null
done

for round in $(seq 1 "$ROUNDS"); do
  for path in "${PATHS[@]}"; do
    log "round $round: $path"
    read -r _ bps < <(bench throughput "${PORT_OF[$path]}" "$DURATION")
    read -r _ p50 _ p99 _ mean < <(bench latency "${PORT_OF[$path]}" "$PINGS")
    printf '%s\t%s\tbytes_per_second\t%s\n%s\t%s\tp50_us\t%s\n%s\t%s\tp99_us\t%s\n%s\t%s\tmean_us\t%s\n' \
      "$round" "$path" "$bps" "$round" "$path" "$p50" "$round" "$path" "$p99" "$round" "$path" "$mean" >>"$RESULTS"
  done
done

median() { # path metric
  awk -F'\t' -v p="$1" -v m="$2" '$2 == p && $3 == m { print $4 }' "$RESULTS" | sort -n \
    | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
{
  echo "| path | MB/s (one connection) | round trip p50 | p99 | mean | added over direct (mean) |"
  echo "|---|---|---|---|---|---|"
  direct_mean=$(median direct mean_us)
  for path in "${PATHS[@]}"; do
    bps=$(median "$path" bytes_per_second)
    mean=$(median "$path" mean_us)
    awk -v path="$path" -v bps="$bps" -v p50="$(median "$path" p50_us)" -v p99="$(median "$path" p99_us)" -v mean="$mean" \
      -v direct="$direct_mean" 'BEGIN { printf "| %s | %.0f | %d µs | %d µs | %d µs | %+d µs |\n", path, bps / 1e6, p50, p99, mean, mean - direct }'
  done
  echo
  echo "Medians of $ROUNDS rounds; throughput: one connection reading for $DURATION s; round trips: $PINGS of 64 bytes, one at a time."
} | tee "$OUT/report.md"
