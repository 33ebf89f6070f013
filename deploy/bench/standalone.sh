# What the bench's standalone scripts (tcp.sh, floor.sh) share, sourced by each once it has set LOG_TAG, OUT,
# REPO and JAR: log and die, installing what is missing with apt, checking the tools and building the jar,
# checking that ports are free, and stopping on exit every process whose pid it added to PIDS. (run.sh has
# its own, richer versions of these.)

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
