# shellcheck shell=bash
# The https case, sourced by run.sh: the small and 64 KiB bodies with TLS terminated by Faultline
# (--tls-cert/--tls-key on its http listener, proxying to the plain nginx upstream), next to the nginx
# proxy terminating TLS (an ssl listener on its server block) and the nginx upstream serving the same
# files over TLS itself. One self-signed EC P-256 certificate for all three. wrk keeps its connections,
# so what is measured is the TLS record layer (one handshake per connection); chaos off.

UPSTREAM_TLS_PORT=${UPSTREAM_TLS_PORT:-18130}     # the nginx upstream, over TLS
NGINX_TLS_PORT=${NGINX_TLS_PORT:-18131}           # the nginx proxy, terminating TLS
FAULTLINE_TLS_PORT=${FAULTLINE_TLS_PORT:-18132}   # Faultline terminating TLS (its admin API on +1)
# Faultline req/s / nginx proxy req/s over TLS, small and 64 KiB (the aim is 1.0, as for plain HTTP)
TARGET_TLS_RPS_RATIO=${TARGET_TLS_RPS_RATIO:-${TARGET_PROXY_RPS_RATIO:-0.5}}

https_ports() { echo "$UPSTREAM_TLS_PORT $NGINX_TLS_PORT $FAULTLINE_TLS_PORT $((FAULTLINE_TLS_PORT + 1))"; }

https_prepare() {
  TLS_DIR=$OUT/tls
  mkdir -p "$TLS_DIR"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout "$TLS_DIR/key.pem" -out "$TLS_DIR/cert.pem" \
    >"$TLS_DIR/openssl.log" 2>&1 || die "openssl could not make the bench certificate: $(tail -3 "$TLS_DIR/openssl.log")"
  chmod 644 "$TLS_DIR/"*.pem
}

https_nginx_listener() { # port
  cat <<EOF
        listen 127.0.0.1:$1 ssl backlog=8192;
        ssl_certificate $TLS_DIR/cert.pem;
        ssl_certificate_key $TLS_DIR/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
EOF
}
https_nginx_upstream_server() { https_nginx_listener "$UPSTREAM_TLS_PORT"; }
https_nginx_proxy_server() { https_nginx_listener "$NGINX_TLS_PORT"; }

# "TLSv1.3 TLS_AES_256_GCM_SHA384": what a client that offers OpenSSL's defaults (as wrk does) gets
tls_session() { # host:port
  openssl s_client -connect "$1" </dev/null 2>/dev/null | awk '/^New, / { sub(/,$/, "", $2); print $2, $NF; exit }'
}

case_https() {
  local direct=https://127.0.0.1:$UPSTREAM_TLS_PORT nginx=https://127.0.0.1:$NGINX_TLS_PORT
  local fl=https://127.0.0.1:$FAULTLINE_TLS_PORT
  local ADMIN=http://127.0.0.1:$((FAULTLINE_TLS_PORT + 1))   # chaos and admin steer this case's gateway
  start_case_gateway https "$FAULTLINE_TLS_PORT" $((FAULTLINE_TLS_PORT + 1)) \
    --tls-cert "$TLS_DIR/cert.pem" --tls-key "$TLS_DIR/key.pem"
  wait_port "$FAULTLINE_TLS_PORT" "Faultline (https) listener"
  local base label
  : >"$OUT/tls-sessions.tsv"
  for base in "$direct" "$nginx" "$fl"; do   # HTTP/1.1, as wrk speaks it (it offers no ALPN)
    check_body "$base/small.json" "$SMALL_BYTES" --http1.1 --cacert "$TLS_DIR/cert.pem"
    check_body "$base/64k.bin" 65536 --http1.1 --cacert "$TLS_DIR/cert.pem"
  done
  for label in "nginx direct:$direct" "nginx proxy:$nginx" "Faultline:$fl"; do
    printf '%s\t%s\n' "${label%%:*}" "$(tls_session "${label#*https://}")" >>"$OUT/tls-sessions.tsv"
  done
  log "https: sanity checks passed; sessions: $(tr '\t\n' ': ' <"$OUT/tls-sessions.tsv")"
  protocol_warmup https "small 64k" off https_warm "$fl"
  protocol_rounds https tls "small 64k" off https_run "$direct" "$nginx" "$fl"
  stop_started "$CASE_PID"
}

https_path() { [[ $1 == 64k ]] && echo /64k.bin || echo /small.json; }   # body
https_warm() { warm "https, $1" "$WRK_CONNECTIONS" "$2$(https_path "$1")"; }   # body url
https_run() { run_wrk "$1" "$2" "$3" "$4$(https_path "$3")" "$WRK_CONNECTIONS"; }   # round case body url

https_report() {
  printf '\n### TLS sessions of the https case (what OpenSSL'"'"'s default client offer gets)\n\n| server | protocol and cipher |\n|---|---|\n'
  awk -F'\t' '{ print "| " $1 " | " $2 " |" }' "$OUT/tls-sessions.tsv"
}
