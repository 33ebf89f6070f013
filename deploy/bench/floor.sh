#!/usr/bin/env bash
# What a proxied small request costs, by layer: CPU per request and req/s of the nginx proxy, Faultline
# (chaos off), a bare Vert.x proxy (BareVertx.java: Vert.x's server and client, nothing of Faultline's) and
# a bare Netty proxy (BareNetty.java: Netty's HTTP/1 codecs, nothing of Vert.x's) and a hybrid of the two
# (BareHybrid.java: Vert.x's server, Netty's client), all in front of one nginx upstream, measured one after the
# other in alternating runs. Run by hand on a quiet machine; never in CI.
#
#   deploy/bench/floor.sh                      # 5 rounds of 8 s per proxy after 30 s of warm-up each (about 4 minutes)
#   ROUNDS=2 DURATION=4 WARMUP=10 deploy/bench/floor.sh   # smoke run
#
# CPU is read from /proc (user + system ticks of the proxy's processes: both nginx workers, or the JVM)
# around each wrk run, divided by the requests it made. Everything listens on 127.0.0.1 only.
set -euo pipefail

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-30}
JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx1g -XX:+UseG1GC}
UPSTREAM_PORT=${UPSTREAM_PORT:-18280}
NGINX_PORT=${NGINX_PORT:-18281}
FAULTLINE_PORT=${FAULTLINE_PORT:-18290}   # its admin API on the next port
VERTX_PORT=${VERTX_PORT:-18292}           # BareVertx's static server here, its proxy on the next port
NETTY_PORT=${NETTY_PORT:-18295}
HYBRID_PORT=${HYBRID_PORT:-18296}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
JAR=${JAR:-$REPO/gateway/target/faultline.jar}
OUT=${OUT:-$(mktemp -d /tmp/faultline-floor.XXXXXX)}
mkdir -p "$OUT/www"

LOG_TAG=floor
# shellcheck source=standalone.sh
source "$HERE/standalone.sh"

need_install=()
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || need_install+=(nginx-light)
command -v wrk >/dev/null 2>&1 || need_install+=(wrk)
install_missing "${need_install[@]}"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
tools_and_jar
ports_free "UPSTREAM_PORT, NGINX_PORT, FAULTLINE_PORT, VERTX_PORT, NETTY_PORT, HYBRID_PORT" \
  "$UPSTREAM_PORT" "$NGINX_PORT" "$FAULTLINE_PORT" $((FAULTLINE_PORT + 1)) "$VERTX_PORT" $((VERTX_PORT + 1)) "$NETTY_PORT" "$HYBRID_PORT"
javac -cp "$JAR" -d "$OUT/classes" "$HERE/BareVertx.java" "$HERE/BareNetty.java" "$HERE/BareHybrid.java"


start_nginx_pair "$UPSTREAM_PORT" "$NGINX_PORT"

# shellcheck disable=SC2086
java $JAVA_OPTS -jar "$JAR" serve --upstream "http://127.0.0.1:$UPSTREAM_PORT" --http-port "$FAULTLINE_PORT" \
  --admin-port $((FAULTLINE_PORT + 1)) --state-dir "$OUT/state" --seed 42 >"$OUT/faultline.log" 2>&1 &
FAULTLINE_PID=$!
PIDS+=($FAULTLINE_PID)
# shellcheck disable=SC2086
java $JAVA_OPTS -cp "$JAR:$OUT/classes" BareVertx "$VERTX_PORT" $((VERTX_PORT + 1)) "$UPSTREAM_PORT" "$OUT/www/small.json" >"$OUT/vertx.log" 2>&1 &
VERTX_PID=$!
PIDS+=($VERTX_PID)
# shellcheck disable=SC2086
java $JAVA_OPTS -cp "$JAR:$OUT/classes" BareNetty "$NETTY_PORT" "$UPSTREAM_PORT" >"$OUT/netty.log" 2>&1 &
NETTY_PID=$!
PIDS+=($NETTY_PID)
# shellcheck disable=SC2086
java $JAVA_OPTS -cp "$JAR:$OUT/classes" BareHybrid "$HYBRID_PORT" "$UPSTREAM_PORT" >"$OUT/hybrid.log" 2>&1 &
HYBRID_PID=$!
PIDS+=($HYBRID_PID)

for _ in $(seq 1 150); do curl -fs -o /dev/null "http://127.0.0.1:$((FAULTLINE_PORT + 1))/health" && break; sleep 0.2; done
NAMES=(nginx faultline vertx netty hybrid)
declare -A PORT=([nginx]=$NGINX_PORT [faultline]=$FAULTLINE_PORT [vertx]=$((VERTX_PORT + 1)) [netty]=$NETTY_PORT [hybrid]=$HYBRID_PORT)
declare -A PROCS=([nginx]="$(pgrep -P "$NGINX_PROXY_PID" | tr '\n' ' ')" [faultline]=$FAULTLINE_PID [vertx]=$VERTX_PID [netty]=$NETTY_PID
  [hybrid]=$HYBRID_PID)
for n in "${NAMES[@]}"; do
  for _ in $(seq 1 50); do curl -fs -o /dev/null "http://127.0.0.1:${PORT[$n]}/small.json" && break; sleep 0.2; done
  body=$(curl -fsS "http://127.0.0.1:${PORT[$n]}/small.json") || die "$n does not answer on port ${PORT[$n]}"
  [[ $body == "$(cat "$OUT/www/small.json")" ]] || die "$n answers another body: $body"
done
log "every proxy answers the small body; warming the JVMs up (${WARMUP} s each)"
for n in faultline vertx netty hybrid; do wrk -t1 -c50 -d"${WARMUP}s" "http://127.0.0.1:${PORT[$n]}/small.json" >/dev/null; done

RESULTS=$OUT/results.tsv   # round  proxy  req/s  cpu_us_per_request  p99_ms
: >"$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
  for n in "${NAMES[@]}"; do measure "$round" "$n" "http://127.0.0.1:${PORT[$n]}/small.json"; done
done

{
  printf '## What a proxied small request costs, by layer (median of %s rounds of %s s)\n\n' "$ROUNDS" "$DURATION"
  cpu_table "nginx faultline vertx netty hybrid" \
    "nginx proxy|Faultline, chaos off|bare Vert.x proxy (BareVertx.java)|bare Netty proxy (BareNetty.java)|Vert.x server, Netty client (BareHybrid.java)"
} | tee "$OUT/report.md"
