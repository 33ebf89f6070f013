# What the bench's standalone scripts (tcp.sh, floor.sh, sidebyside.sh) share, sourced by each once it has set
# LOG_TAG, OUT, REPO and JAR: log and die, installing what is missing with apt, checking the tools and building the
# jar, checking that ports are free, starting the nginx upstream (and the nginx proxy) that the measured proxies stand
# in front of, and stopping on exit every process whose pid it added to PIDS. (run.sh has its own, richer versions
# of these.)

log() { printf '[%s %s] %s\n' "$LOG_TAG" "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# install_missing PACKAGE...: installs the Debian packages with apt (as root, or through sudo)
install_missing() {
  (($#)) || return 0
  log "installing $*"
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "$@"
}

# tools_and_jar: dies unless java, javac, curl and awk are there; builds $JAR (from $REPO) when it is missing
tools_and_jar() {
  local tool
  for tool in java javac curl awk; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
  done
  if [[ ! -f $JAR ]]; then
    log "building $JAR"
    (cd "$REPO" && mvn -q -DskipTests package)
  fi
}

# ports_free HINT PORT...: dies naming the first port on 127.0.0.1 that something already listens on
ports_free() {
  local hint=$1 port
  shift
  for port in "$@"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      die "port $port on 127.0.0.1 is already in use (set $hint)"
    fi
  done
}

PIDS=()
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  log "stopped everything; raw outputs and logs in $OUT"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_nginx_pair UPSTREAM_PORT PROXY_PORT [LOCATIONS]: an nginx upstream with one worker, answering run.sh's
# 92-byte small body at /small.json (from $OUT/www) and whatever LOCATIONS (nginx directives of its server block)
# add, and an nginx proxy in front of it with one worker per core and a keep-alive pool, as run.sh's. Needs $NGINX;
# their pids go to PIDS, the proxy's (whose workers are its children) in NGINX_PROXY_PID.
start_nginx_pair() {
  local upstream_port=$1 proxy_port=$2 locations=${3:-} name server workers upstream_block nofile
  mkdir -p "$OUT/www"
  printf '{"id":12345,"name":"faultline-bench","status":"ok","items":[1,2,3,4,5],"note":"small body"}\n' >"$OUT/www/small.json"
  chmod 755 "$OUT" "$OUT/www"   # nginx's workers run as another user
  chmod 644 "$OUT/www/small.json"
  nofile=$(ulimit -n)
  for name in upstream proxy; do
    mkdir -p "$OUT/$name"
    if [[ $name == upstream ]]; then
      server="listen 127.0.0.1:$upstream_port backlog=8192; root $OUT/www; location = /small.json { default_type application/json; }
$locations"
      workers=1 upstream_block=""
    else
      server="listen 127.0.0.1:$proxy_port backlog=8192; location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection \"\"; }"
      workers=$(nproc) upstream_block="upstream up { server 127.0.0.1:$upstream_port; keepalive 256; keepalive_requests 10000000; keepalive_timeout 120s; }"
    fi
    cat >"$OUT/$name/nginx.conf" <<CONF
worker_processes $workers;
worker_rlimit_nofile $nofile;
pid $OUT/$name/nginx.pid;
error_log $OUT/$name/error.log warn;
events { worker_connections $((nofile - 512)); multi_accept on; }
http {
    access_log off;
    keepalive_requests 10000000;
    $upstream_block
    server { $server }
}
CONF
    "$NGINX" -p "$OUT/$name" -e "$OUT/$name/error.log" -c "$OUT/$name/nginx.conf" -g 'daemon off;' >>"$OUT/$name/stdout.log" 2>&1 &
    PIDS+=($!)
  done
  NGINX_PROXY_PID=${PIDS[-1]}
}

# measure ROUND NAME URL [WRK_ARGS...]: one wrk run of DURATION s against URL (50 connections), with the CPU that
# NAME's processes (PROCS[NAME]: both nginx workers, or a JVM) spent in it read from /proc around it; appends
# "round name req/s cpu_us_per_request p99_ms" to RESULTS and dies on any error.
measure() {
  local round=$1 n=$2 url=$3 before after rps p99 errors cpu hz
  shift 3
  hz=$(getconf CLK_TCK)
  before=$(proc_ticks "${PROCS[$n]}")
  wrk -t1 -c50 -d"${DURATION}s" --latency "$@" "$url" >"$OUT/wrk-$n-r$round.txt"
  after=$(proc_ticks "${PROCS[$n]}")
  rps=$(awk '/^Requests\/sec/ { print $2 }' "$OUT/wrk-$n-r$round.txt")
  p99=$(awk '$1 == "99%" { v = $2 + 0; print ($2 ~ /us$/ ? v / 1000 : $2 ~ /ms$/ ? v : v * 1000) }' "$OUT/wrk-$n-r$round.txt")
  errors=$(awk '/Non-2xx|Socket errors/' "$OUT/wrk-$n-r$round.txt")
  [[ -z $errors ]] || die "$n: $errors"
  cpu=$(awk -v a="$before" -v b="$after" -v r="$rps" -v s="$DURATION" -v hz="$hz" 'BEGIN { printf "%.1f", (b - a) / hz * 1e6 / (r * s) }')
  printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$n" "$rps" "$cpu" "$p99" >>"$RESULTS"
  log "round $round/$ROUNDS $n: $rps req/s, $cpu µs of CPU a request, p99 $p99 ms"
}

# proc_ticks PIDS: the user and system clock ticks the processes PIDS have spent
proc_ticks() { local sum=0 pid; for pid in $1; do sum=$((sum + $(awk '{ print $14 + $15 }' "/proc/$pid/stat"))); done; echo "$sum"; }

# cpu_table NAMES LABELS: the markdown table of RESULTS (measure's rows), one row per proxy in NAMES (space-separated,
# the first nginx's, which the ratios divide by) labelled by LABELS ('|'-separated, in the same order): medians over
# the rounds of req/s, CPU per request (and each round's) and p99.
cpu_table() {
  printf '| proxy | req/s | ratio to nginx | CPU per request (µs) | by round | p99 (ms) | ratio to nginx |\n'
  printf '|---|---:|---:|---:|---|---:|---:|\n'
  awk -F'\t' -v names="$1" -v labels="$2" -f "$HERE/median.awk" -f <(cat <<'AWK'
    { cnt[$2]++; for (c = 3; c <= 5; c++) val[$2, cnt[$2], c] = $c; cpu[$2] = cpu[$2] " " $4 }
    END {
      k = split(names, order, " ")
      split(labels, label, "|")
      first = order[1]
      for (i = 1; i <= k; i++) {
        n = order[i]
        printf "| %s | %.0f | %.2f | %.1f | %s | %.2f | %.2f |\n", label[i], median(n, 3), median(n, 3) / median(first, 3),
          median(n, 4), cpu[n], median(n, 5), median(n, 5) / median(first, 5)
      }
    }
AWK
  ) "$RESULTS"
}
