#!/usr/bin/env bash
# Two builds of Faultline side by side on one case, and the nginx proxy beside them: CPU per request (the steady
# figure on a shared machine) and req/s, in alternating runs, so that a change is measured against the code before
# it inside one run. The case is the small HTTP body (GET /small.json) or the GraphQL query of graphql.sh (POST
# /graphql, every document parsed), chaos off; or one build against itself with chaos on in B (CHAOS_B=on0: every
# fault at probability 0, and for graphql the rule of graphql.sh on the query's fields), what the decision costs.
# Run by hand on a quiet machine; never in CI.
#
#   JAR_B=/tmp/faultline-old.jar deploy/bench/sidebyside.sh                 # graphql, 7 rounds of 8 s after 30 s of warm-up
#   CASE=small JAR_B=/tmp/faultline-old.jar deploy/bench/sidebyside.sh
#   CHAOS_B=on0 deploy/bench/sidebyside.sh                                 # the repository's build, chaos off against on
#   ROUNDS=2 DURATION=4 WARMUP=5 JAR_B=... deploy/bench/sidebyside.sh      # smoke run
#
# JAR (A, default the repository's) and JAR_B (required unless CHAOS_B=on0, then JAR by default) each run as one
# gateway. CPU is read from /proc (user + system ticks of the nginx proxy's workers, or of the JVM) around each wrk
# run, divided by the requests it made.
set -euo pipefail

CASE=${CASE:-graphql}
ROUNDS=${ROUNDS:-7}
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-30}
JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx1g -XX:+UseG1GC}
UPSTREAM_PORT=${UPSTREAM_PORT:-18380}
NGINX_PORT=${NGINX_PORT:-18381}
A_PORT=${A_PORT:-18390}   # each gateway's listener, its admin API on the next port
B_PORT=${B_PORT:-18392}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
JAR=${JAR:-$REPO/gateway/target/faultline.jar}
CHAOS_B=${CHAOS_B:-off}
if [[ $CHAOS_B == on0 ]]; then JAR_B=${JAR_B:-$JAR}; else JAR_B=${JAR_B:?set JAR_B to the other build, or CHAOS_B=on0}; fi
OUT=${OUT:-$(mktemp -d /tmp/faultline-sidebyside.XXXXXX)}
mkdir -p "$OUT/www"

LOG_TAG=sidebyside
# shellcheck source=standalone.sh
source "$HERE/standalone.sh"
# shellcheck source=graphql.sh
source "$HERE/graphql.sh"
# shellcheck source=chaos.sh
source "$HERE/chaos.sh"

[[ $CASE == small || $CASE == graphql ]] || die "CASE must be small or graphql, got $CASE"
[[ $CHAOS_B == off || $CHAOS_B == on0 ]] || die "CHAOS_B must be off or on0, got $CHAOS_B"
[[ -f $JAR_B ]] || die "JAR_B: no such file: $JAR_B"
need_install=()
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || need_install+=(nginx-light)
command -v wrk >/dev/null 2>&1 || need_install+=(wrk)
install_missing "${need_install[@]}"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
tools_and_jar
ports_free "UPSTREAM_PORT, NGINX_PORT, A_PORT, B_PORT" "$UPSTREAM_PORT" "$NGINX_PORT" "$A_PORT" $((A_PORT + 1)) "$B_PORT" $((B_PORT + 1))

graphql_prepare
start_nginx_pair "$UPSTREAM_PORT" "$NGINX_PORT" "$(graphql_nginx_upstream_server)"

# start_gateway NAME JAR PORT: a gateway whose listener for the case is on PORT
start_gateway() {
  local listener=(--http-port "$3")
  [[ $CASE == graphql ]] && listener=(--http-port 0 --graphql-upstream "http://127.0.0.1:$UPSTREAM_PORT" --graphql-port "$3")
  # shellcheck disable=SC2086
  java $JAVA_OPTS -jar "$2" serve --upstream "http://127.0.0.1:$UPSTREAM_PORT" "${listener[@]}" --admin-port $(($3 + 1)) \
    --state-dir "$OUT/state-$1" --seed 42 >"$OUT/$1.log" 2>&1 &
  PIDS+=($!)
}
start_gateway a "$JAR" "$A_PORT"
A_PID=${PIDS[-1]}
start_gateway b "$JAR_B" "$B_PORT"
B_PID=${PIDS[-1]}

NAMES=(nginx a b)
declare -A PORT=([nginx]=$NGINX_PORT [a]=$A_PORT [b]=$B_PORT)
if [[ $CASE == graphql ]]; then
  path=/graphql load=(-s "$GRAPHQL_DIR/post.lua")
else
  path=/small.json load=()
fi
for n in "${NAMES[@]}"; do
  for _ in $(seq 1 150); do (exec 3<>"/dev/tcp/127.0.0.1/${PORT[$n]}") 2>/dev/null && break; sleep 0.2; done
  if [[ $CASE == graphql ]]; then
    graphql_check "http://127.0.0.1:${PORT[$n]}$path"
  else
    [[ $(curl -fsS "http://127.0.0.1:${PORT[$n]}$path") == "$(cat "$OUT/www/small.json")" ]] || die "$n does not answer the small body"
  fi
done
if [[ $CHAOS_B == on0 ]]; then
  extra=''
  [[ $CASE == graphql ]] && extra=$(graphql_on0_extra)
  curl -fsS -X PUT -H 'Content-Type: application/json' --data "$(chaos_config "$ON0_LATENCY" "$extra")" \
    "http://127.0.0.1:$((B_PORT + 1))/api/chaos/config" >/dev/null || die "B refused the on0 chaos config"
  status=$(curl -fsS "http://127.0.0.1:$((B_PORT + 1))/api/chaos/status") || die "B's chaos status did not answer"
  [[ $status =~ \"enabled\"\ ?:\ ?true ]] || die "B's chaos is not on: $status"
  if [[ $CASE == graphql ]]; then
    graphql_check "http://127.0.0.1:$B_PORT$path"
  else
    [[ $(curl -fsS "http://127.0.0.1:$B_PORT$path") == "$(cat "$OUT/www/small.json")" ]] || die "B, chaos on, does not answer the small body"
  fi
  log "B: chaos on, every fault at probability 0; it answers as the upstream does"
fi
declare -A PROCS=([nginx]="$(pgrep -P "$NGINX_PROXY_PID" | tr '\n' ' ')" [a]=$A_PID [b]=$B_PID)   # nginx's workers are up by now
[[ -n ${PROCS[nginx]// /} ]] || die "the nginx proxy has no worker processes"
log "$CASE: every proxy answers as the upstream does; warming the JVMs up (${WARMUP} s each)"
for n in a b; do wrk -t1 -c50 -d"${WARMUP}s" "${load[@]}" "http://127.0.0.1:${PORT[$n]}$path" >/dev/null; done

RESULTS=$OUT/results.tsv   # round  proxy  req/s  cpu_us_per_request  p99_ms
: >"$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
  order=("${NAMES[@]}")
  ((round % 2 == 0)) && order=(nginx b a)   # each gateway goes first in every other round
  for n in "${order[@]}"; do measure "$round" "$n" "http://127.0.0.1:${PORT[$n]}$path" "${load[@]}"; done
done

{
  printf '## %s: two gateways side by side (median of %s rounds of %s s)\n\n' "$CASE" "$ROUNDS" "$DURATION"
  printf 'A: %s, chaos off\nB: %s, chaos %s\n\n' "$JAR" "$JAR_B" "$CHAOS_B"
  cpu_table "nginx a b" "nginx proxy|Faultline A|Faultline B"
} | tee "$OUT/report.md"
