# shellcheck shell=bash
# The graphql case, sourced by run.sh: queries/s through Faultline's graphql listener, which parses
# every document (operation type, name and the fields it selects, through fragments: what operation
# targeting needs), chaos off and chaos on with every fault at probability 0 plus a rule that targets
# the query's fields; next to the nginx proxy (GraphQL is HTTP: its location / proxies POST /graphql)
# and the upstream directly. The upstream is the nginx upstream answering POST /graphql with a fixed
# JSON document, so that the proxies are what is measured. Load: wrk POSTing one query (post.lua).

FAULTLINE_GRAPHQL_PORT=${FAULTLINE_GRAPHQL_PORT:-18122}   # its admin API on +1
TARGET_GRAPHQL_RATIO=${TARGET_GRAPHQL_RATIO:-0.8}          # Faultline (parsing) queries/s / nginx proxy's

graphql_ports() { echo "$FAULTLINE_GRAPHQL_PORT $((FAULTLINE_GRAPHQL_PORT + 1))"; }

GRAPHQL_ANSWER='{"data":{"user":{"id":"1","name":"Ada","email":"ada@example.com","orders":[{"id":"o1","total":12.5,"status":"SHIPPED","items":[{"sku":"A1","quantity":1}]},{"id":"o2","total":7.25,"status":"PENDING","items":[{"sku":"B2","quantity":3},{"sku":"C3","quantity":1}]}]}}}'

graphql_prepare() {
  GRAPHQL_DIR=$OUT/graphql
  mkdir -p "$GRAPHQL_DIR"
  cat >"$GRAPHQL_DIR/query.json" <<'EOF'
{"operationName":"UserOrders","variables":{"id":"1"},"query":"query UserOrders($id: ID!) { user(id: $id) { ...UserFields orders(first: 5) { id total status items { sku quantity } } } } fragment UserFields on User { id name email }"}
EOF
  cat >"$GRAPHQL_DIR/post.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local file = io.open("$GRAPHQL_DIR/query.json", "rb")
wrk.body = file:read("*a")
file:close()
EOF
}

graphql_nginx_upstream_server() {
  cat <<EOF
        location = /graphql { default_type application/json; return 200 '$GRAPHQL_ANSWER'; }
EOF
}

# the rule of chaos on0: it targets the bench's query by type, name and a field it selects
graphql_rule() { # probability
  printf '[{"name":"bench-orders","match":{"operation_type":"query","operation_name":"User*","fields":["Query.user.orders"]},"graphql":{"error_probability":%s}}]' "$1"
}

# what chaos on0 adds for this case: the graphql section at probability 0 and the rule on the query's fields
graphql_on0_extra() { printf ',"graphql":{"error_probability":0},"rules":%s' "$(graphql_rule 0)"; }

graphql_check() { # url: the query answered with the upstream's document
  local got
  got=$(curl -fsS --max-time 10 -H 'Content-Type: application/json' --data-binary "@$GRAPHQL_DIR/query.json" "$1") \
    || die "POST $1 (GraphQL query) failed"
  [[ $got == "$GRAPHQL_ANSWER" ]] || die "POST $1: expected the upstream's answer, got: ${got:0:300}"
}

case_graphql() {
  local direct=$URL_DIRECT/graphql nginx=$URL_NPROXY/graphql fl=http://127.0.0.1:$FAULTLINE_GRAPHQL_PORT/graphql
  # chaos and admin steer this case's gateway; on0 adds the graphql section and a rule on the query's fields
  local ADMIN=http://127.0.0.1:$((FAULTLINE_GRAPHQL_PORT + 1))
  local CHAOS_ON0_EXTRA
  CHAOS_ON0_EXTRA=$(graphql_on0_extra)
  start_case_gateway graphql 0 $((FAULTLINE_GRAPHQL_PORT + 1)) \
    --graphql-upstream "http://127.0.0.1:$UPSTREAM_PORT" --graphql-port "$FAULTLINE_GRAPHQL_PORT"
  wait_port "$FAULTLINE_GRAPHQL_PORT" "Faultline (graphql) listener"
  local url
  for url in "$direct" "$nginx" "$fl"; do graphql_check "$url"; done
  chaos on0
  graphql_check "$fl"
  # the rule of on0 matches the bench's query (so on0 really runs the targeting): at probability 1 it answers
  local got
  admin PUT /api/chaos/config '{"enabled":true,"seed":42,"rules":'"$(graphql_rule 1)"'}' >/dev/null \
    || die "PUT /api/chaos/config (graphql rule at probability 1) was refused"
  got=$(curl -sS --max-time 10 -H 'Content-Type: application/json' --data-binary "@$GRAPHQL_DIR/query.json" "$fl")
  [[ $got == *'"errors"'* && $got != *'"data"'* ]] || die "the graphql rule of on0 does not match the bench's query: $got"
  chaos off
  log "graphql: sanity checks passed (the query is answered with the upstream's document on every path; the on0 rule matches it)"
  protocol_warmup graphql query "off on0" graphql_warm "$fl"
  protocol_rounds graphql gql query "off on0" graphql_run "$direct" "$nginx" "$fl"
  stop_started "$CASE_PID"
}

graphql_warm() { warm "graphql" "$WRK_CONNECTIONS" "$2" -s "$GRAPHQL_DIR/post.lua"; }   # body url
graphql_run() { run_wrk "$1" "$2" "$3" "$4" "$WRK_CONNECTIONS" -s "$GRAPHQL_DIR/post.lua"; }   # round case body url
