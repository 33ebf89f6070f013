# The bench's report (report.md) from results.tsv and hold.tsv: medians over the rounds, ratios inside
# the run, and a pass/fail line per target. Run by run.sh with the settings as -v variables; exits 3
# when a target fails. median() is median.awk's, loaded before this file.
function worst(key, col,   i, m) { m = ""; for (i = 1; i <= cnt[key]; i++) if (m == "" || val[key, i, col] + 0 > m) m = val[key, i, col] + 0; return m }
function sum(key, col,   i, s) { for (i = 1; i <= cnt[key]; i++) s += val[key, i, col]; return s + 0 }
function ratio(a, b) { return (a == "nan" || b == "nan" || b + 0 == 0) ? "n/a" : sprintf("%.2f", a / b) }
function f1(x) { return x == "nan" ? "n/a" : sprintf("%.1f", x) }
function f2(x) { return x == "nan" ? "n/a" : sprintf("%.2f", x) }
function row(label, key, load, vs_key, vs_label, vs2_key, vs2_label,   rps, p50, p99, r) {
  rps = median(key, 4); p50 = median(key, 5); p99 = median(key, 6)
  r = ""
  if (vs_key != "") r = r sprintf("%s: %s %s, p99 %s", vs_label, unit, ratio(rps, median(vs_key, 4)), ratio(p99, median(vs_key, 6)))
  if (vs2_key != "") r = r (r == "" ? "" : "; ") sprintf("%s: %s %s, p99 %s", vs2_label, unit, ratio(rps, median(vs2_key, 4)), ratio(p99, median(vs2_key, 6)))
  if (!cnt[key]) return   # case not run
  printf "| %s | %s | %s | %s | %s | %d | %s |\n", label, load, f1(rps), f2(p50), f2(p99), sum(key, 7), (r == "" ? "—" : r)
}
# the four paths of a protocol case (prefix gql, grpc or ws): direct, nginx proxy, Faultline chaos off and on
function proto_rows(prefix, body, load, label) {
  row(label ": direct (upstream)", prefix "_direct/" body, load, "", "", "", "")
  row(label ": nginx proxy", prefix "_nginx_proxy/" body, load, prefix "_direct/" body, "nginx proxy/direct", "", "")
  row(label ": Faultline chaos off", prefix "_fl_off/" body, load, prefix "_nginx_proxy/" body, "Faultline/nginx proxy", "", "")
  row(label ": Faultline chaos on (all p=0)", prefix "_fl_on0/" body, load, prefix "_nginx_proxy/" body, "Faultline/nginx proxy",
    prefix "_fl_off/" body, "chaos on/off")
}
function has(c) { return index(cases, " " c " ") > 0 }
function verdict(ok) { if (!ok) failed++; return ok ? "PASS" : "**FAIL**" }
# a target line: the median rate of key >= t x the median rate of vs_key
function at_least(label, key, vs_key, t, aim,   a, b, rr) {
  a = median(key, 4); b = median(vs_key, 4); rr = ratio(a, b)
  printf "| %s >= %s x%s | %s x (%s vs %s per s) | %s |\n", label, t, aim, rr, f1(a), f1(b), verdict(rr != "n/a" && rr + 0 >= t)
}
# the two targets of one load of a protocol case: chaos off >= t x nginx, chaos on >= t_on_ratio x chaos off
function proto_targets(label, prefix, body, unit, t, vs) {
  at_least(label ", chaos off: Faultline " unit, prefix "_fl_off/" body, prefix "_nginx_proxy/" body, t, " " vs)
  at_least(label ", chaos on (all p=0): " unit, prefix "_fl_on0/" body, prefix "_fl_off/" body, t_on_ratio, " chaos off")
}
# a target line: no errors on the Faultline paths of a protocol case, over every round and body
function no_errors(label, prefix, bodies,   n, b, i, e) {
  n = split(bodies, b, " "); e = 0
  for (i = 1; i <= n; i++) e += sum(prefix "_fl_off/" b[i], 7) + sum(prefix "_fl_on0/" b[i], 7)
  printf "| %s: no errors through Faultline | %d | %s |\n", label, e, verdict(e == 0)
}
{ key = $2 "/" $3; i = ++cnt[key]; for (c = 4; c <= 8; c++) val[key, i, c] = $c }
END {
  unit = "req/s"
  wl = sprintf("wrk -t%d -c%d", wrk_t, wrk_c)
  rl = sprintf("h2load %d req/s, %d conns", rate, rate_c)
  printf "## Faultline benchmark: median of %d round(s), %d s per measurement\n", rounds, duration
  if (has("throughput") || has("rate") || has("latency") || has("metrics")) {
    print "\n| case | load | req/s | p50 ms | p99 ms | errors | ratios |"
    print "|---|---|---:|---:|---:|---:|---|"
  }
  row("nginx direct (upstream), small", "direct/small", wl, "", "", "", "")
  row("nginx proxy, small", "nginx_proxy/small", wl, "direct/small", "nginx proxy/direct", "", "")
  row("Faultline chaos off, small", "fl_off/small", wl, "nginx_proxy/small", "Faultline/nginx proxy", "", "")
  row("Faultline chaos on (all p=0), small", "fl_on0/small", wl, "nginx_proxy/small", "Faultline/nginx proxy", "fl_off/small", "chaos on/off")
  row("nginx direct (upstream), 64 KiB", "direct/64k", wl, "", "", "", "")
  row("nginx proxy, 64 KiB", "nginx_proxy/64k", wl, "direct/64k", "nginx proxy/direct", "", "")
  row("Faultline chaos off, 64 KiB", "fl_off/64k", wl, "nginx_proxy/64k", "Faultline/nginx proxy", "", "")
  row("Faultline chaos on (all p=0), 64 KiB", "fl_on0/64k", wl, "nginx_proxy/64k", "Faultline/nginx proxy", "fl_off/64k", "chaos on/off")
  row("metrics case: Faultline chaos off (request metrics on, the default), small", "m_default/small", wl, "", "", "", "")
  row("metrics case: Faultline chaos off, no request metrics, small", "m_nometrics/small", wl, "m_default/small", "this/default", "", "")
  row("metrics case: Faultline chaos off, + Vert.x metrics, small", "m_vertxmetrics/small", wl, "m_default/small", "this/default", "", "")
  row("metrics case: Faultline chaos off (request metrics on, the default), 64 KiB", "m_default/64k", wl, "", "", "", "")
  row("metrics case: Faultline chaos off, no request metrics, 64 KiB", "m_nometrics/64k", wl, "m_default/64k", "this/default", "", "")
  row("metrics case: Faultline chaos off, + Vert.x metrics, 64 KiB", "m_vertxmetrics/64k", wl, "m_default/64k", "this/default", "", "")
  row("fixed rate: nginx direct, small", "rate_direct/small", rl, "", "", "", "")
  row("fixed rate: nginx proxy, small", "rate_nginx_proxy/small", rl, "rate_direct/small", "nginx proxy/direct", "", "")
  row("fixed rate: bare Vert.x server (JVM floor), small", "rate_vertx/small", rl, "rate_direct/small", "bare Vert.x/nginx direct", "", "")
  row("fixed rate: bare Vert.x proxy, small", "rate_vertx_proxy/small", rl, "rate_nginx_proxy/small", "bare Vert.x proxy/nginx proxy", "", "")
  row("fixed rate: Faultline chaos off, small", "rate_fl_off/small", rl, "rate_direct/small", "Faultline/direct", "rate_nginx_proxy/small", "Faultline/nginx proxy")
  row("fixed rate: Faultline chaos on (p=0), small", "rate_fl_on0/small", rl, "rate_direct/small", "Faultline/direct", "rate_fl_off/small", "chaos on/off")
  ll = sprintf("wrk -t%d -c%d", wrk_t, lat_c)
  row(sprintf("reference: nginx echo_sleep %d ms, small", lat_ms), "ref_latency/small", ll, "", "", "", "")
  row(sprintf("reference: nginx proxy, echo_sleep %d ms then the upstream, small", lat_ms), "ref_latency_proxy/small", ll, "ref_latency/small", "this/nginx echo_sleep", "", "")
  row(sprintf("Faultline %d ms latency (p=1), small", lat_ms), "fl_latency/small", ll, "ref_latency/small", "Faultline/nginx echo_sleep", "ref_latency_proxy/small", "Faultline/nginx delaying proxy")

  # held requests: one line per round and server; targets apply to the Faultline lines
  hn = 0; all = 0
  while ((getline line < hold_file) > 0) { split(line, h, "\t"); all++
    for (c = 1; c <= 14; c++) A[all, c] = h[c]
    if (h[13] == "faultline") { hn++; for (c = 1; c <= 14; c++) H[hn, c] = h[c] } }
  if (has("hold")) {
    printf "\n### %d concurrent requests, each delayed %d ms (h2load --h1 -c %d -n %d%s)\n\n", hold_n, hold_ms, hold_n, hold_n,
      (ramp_ms > 0 ? sprintf(", connections opened over %d ms", ramp_ms) : ", all connections opened at once")
    print "| round | server | answered | errors | min ms | p50 ms | p99 ms | max ms | threads before / max / after | heap in use MiB before / max | heap kept after a young collection, max (MiB) |"
    print "|---:|---|---:|---:|---:|---:|---:|---:|---|---|---:|"
    for (r = 1; r <= all; r++)
      printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s / %s / %s | %s / %s | %s |\n", A[r, 1],
        (A[r, 13] == "nginx" ? "reference: nginx echo_sleep" : A[r, 13] == "nginx_proxy" ? "reference: nginx proxy, echo_sleep then the upstream" : "Faultline"), A[r, 2], A[r, 3], f1(A[r, 4]), f1(A[r, 5]),
        f1(A[r, 6]), f1(A[r, 7]), A[r, 8], A[r, 9], A[r, 10], A[r, 11], A[r, 12], (A[r, 14] == "" ? "-" : A[r, 14])
  }

  # the protocol cases: per second in the unit their load column names
  if (has("https") || has("graphql") || has("grpc") || has("websocket")) {
    unit = "rate"
    print "\n### HTTPS, GraphQL, gRPC and WebSocket, each against nginx doing the same job\n"
    print "| case | load | per second | p50 ms | p99 ms | errors | ratios |"
    print "|---|---|---:|---:|---:|---:|---|"
    for (b = 1; b <= 2; b++) {
      body = b == 1 ? "small" : "64k"; bl = b == 1 ? "small" : "64 KiB"
      row("https: nginx direct (TLS), " bl, "tls_direct/" body, wl " over TLS, req/s", "", "", "", "")
      row("https: nginx proxy terminating TLS, " bl, "tls_nginx_proxy/" body, wl " over TLS, req/s", "tls_direct/" body, "nginx proxy/direct", "", "")
      row("https: Faultline terminating TLS, chaos off, " bl, "tls_fl_off/" body, wl " over TLS, req/s", "tls_nginx_proxy/" body, "Faultline/nginx proxy", "", "")
    }
    proto_rows("gql", "query", wl " POST, queries/s", "GraphQL query")
    proto_rows("grpc", "unary", sprintf("h2load -c%d -m%d, calls/s", grpc_c, grpc_m), "gRPC unary")
    proto_rows("grpc", "stream", sprintf("h2load -c%d -m%d, %d msgs per call; msgs/s", grpc_c, grpc_m, grpc_msgs), "gRPC server streaming")
    proto_rows("ws", "echo", sprintf("WsLoad %d conns, %d B; round trips/s", ws_c, ws_bytes), "WebSocket echo")
    proto_rows("ws", "oneway", sprintf("WsLoad %d conns, %d B; msgs/s to the client", ws_c, ws_bytes), "WebSocket one way")
  }

  print "\n### Targets\n"
  print "| target | measured | result |"
  print "|---|---|---|"
  if (has("throughput")) {
    for (b = 1; b <= 2; b++) {
      body = b == 1 ? "small" : "64k"; bl = b == 1 ? "small" : "64 KiB"
      off = median("fl_off/" body, 4); ng = median("nginx_proxy/" body, 4)
      rr = ratio(off, ng)
      printf "| chaos off, %s: Faultline req/s >= %s x nginx proxy (aim 1.0x) | %s x (%s vs %s req/s) | %s |\n",
        bl, t_ratio, rr, f1(off), f1(ng), verdict(rr != "n/a" && rr + 0 >= t_ratio)
    }
    for (b = 1; b <= 2; b++) {
      body = b == 1 ? "small" : "64k"; bl = b == 1 ? "small" : "64 KiB"
      on = median("fl_on0/" body, 4); off = median("fl_off/" body, 4)
      rr = ratio(on, off)
      printf "| chaos on (every fault p=0), %s: req/s >= %s x chaos off | %s x (%s vs %s req/s) | %s |\n",
        bl, t_on_ratio, rr, f1(on), f1(off), verdict(rr != "n/a" && rr + 0 >= t_on_ratio)
    }
  }
  if (has("rate")) {
    d99 = median("rate_direct/small", 6); o99 = median("rate_fl_off/small", 6); n99 = median("rate_fl_on0/small", 6)
    ok = d99 != "nan" && o99 != "nan"
    printf "| %d req/s fixed rate: Faultline p99 <= direct p99 + %s ms | Faultline chaos off %s ms vs direct %s ms: %s ms (chaos on p=0: %s ms, %s ms; nginx proxy: %s ms) | %s |\n",
      rate, t_rate_p99, f2(o99), f2(d99), (ok ? sprintf("%+.2f", o99 - d99) : "n/a"), f2(n99),
      (n99 != "nan" && d99 != "nan" ? sprintf("%+.2f", n99 - d99) : "n/a"), f2(median("rate_nginx_proxy/small", 6)),
      verdict(ok && o99 - d99 <= t_rate_p99 + 0)
  }
  if (has("latency")) {
    p50 = median("fl_latency/small", 5); p99 = median("fl_latency/small", 6)
    printf "| %d ms latency, %d conns: p50 <= %s ms | median %s ms (worst round %s; nginx echo_sleep %s; nginx delaying proxy %s) | %s |\n", lat_ms, lat_c,
      t_p50, f2(p50), f2(worst("fl_latency/small", 5)), f2(median("ref_latency/small", 5)), f2(median("ref_latency_proxy/small", 5)),
      verdict(p50 != "nan" && p50 <= t_p50 + 0)
    printf "| %d ms latency, %d conns: p99 <= %s ms | median %s ms (worst round %s; nginx echo_sleep %s; nginx delaying proxy %s) | %s |\n", lat_ms, lat_c,
      t_p99, f2(p99), f2(worst("fl_latency/small", 6)), f2(median("ref_latency/small", 6)), f2(median("ref_latency_proxy/small", 6)),
      verdict(p99 != "nan" && p99 <= t_p99 + 0)
    printf "| %d ms latency: no errors | %d | %s |\n", lat_ms, sum("fl_latency/small", 7), verdict(sum("fl_latency/small", 7) == 0)
  }
  if (has("hold")) {
    ans_ok = hn > 0; err = 0; mn = ""; mx = ""; tm = 0; hm = 0; km = 0; amin = ""
    for (r = 1; r <= hn; r++) {
      if (H[r, 2] + 0 != hold_n) ans_ok = 0
      if (amin == "" || H[r, 2] + 0 < amin) amin = H[r, 2] + 0
      err += H[r, 3]
      if (mn == "" || H[r, 4] + 0 < mn) mn = H[r, 4] + 0
      if (mx == "" || H[r, 7] + 0 > mx) mx = H[r, 7] + 0
      if (H[r, 9] - H[r, 8] > tm) tm = H[r, 9] - H[r, 8]
      if (H[r, 10] - H[r, 8] > tm) tm = H[r, 10] - H[r, 8]
      if (H[r, 12] + 0 > hm) hm = H[r, 12] + 0
      # the heap kept after a young collection when one happened during the hold (as for the idle WebSockets)
      kept = (H[r, 14] == "" || H[r, 14] == "n/a") ? H[r, 12] : H[r, 14]
      if (kept + 0 > km) km = kept + 0
    }
    printf "| %d held requests: all answered, no errors | fewest answered in a round %s, errors %d | %s |\n", hold_n,
      (hn ? amin : "n/a"), err, verdict(ans_ok && err == 0)
    rmx = ""; pmx = ""
    for (r = 1; r <= all; r++) {
      if (A[r, 13] == "nginx" && (rmx == "" || A[r, 7] + 0 > rmx)) rmx = A[r, 7] + 0
      if (A[r, 13] == "nginx_proxy" && (pmx == "" || A[r, 7] + 0 > pmx)) pmx = A[r, 7] + 0
    }
    printf "| %d held requests: every one answered in %.1f..%.1f s | min %s ms, max %s ms (nginx echo_sleep max %s ms; nginx delaying proxy max %s ms) | %s |\n",
      hold_n, hold_ms / 1000, t_hold_max / 1000, f1(mn), f1(mx), (rmx == "" ? "n/a" : f1(rmx)), (pmx == "" ? "n/a" : f1(pmx)),
      verdict(hn > 0 && mn >= hold_ms && mx <= t_hold_max + 0)
    printf "| %d held requests: thread count flat (growth <= %d) | max growth %d | %s |\n", hold_n, t_slack, tm,
      verdict(hn > 0 && tm <= t_slack + 0)
    printf "| %d held requests: heap kept after a young collection < %d MiB | max %.1f MiB (heap in use, garbage included: max %.1f MiB) | %s |\n",
      hold_n, t_heap, km, hm, verdict(hn > 0 && km < t_heap + 0)
  }
  if (has("https")) {
    at_least("https, small: Faultline req/s", "tls_fl_off/small", "tls_nginx_proxy/small", t_tls, " nginx terminating TLS (aim 1.0x)")
    at_least("https, 64 KiB: Faultline req/s", "tls_fl_off/64k", "tls_nginx_proxy/64k", t_tls, " nginx terminating TLS (aim 1.0x)")
    printf "| https: no errors through Faultline | %d | %s |\n", sum("tls_fl_off/small", 7) + sum("tls_fl_off/64k", 7),
      verdict(sum("tls_fl_off/small", 7) + sum("tls_fl_off/64k", 7) == 0)
  }
  if (has("graphql")) {
    proto_targets("graphql (every document parsed; chaos on adds a rule on its fields)", "gql", "query", "queries/s", t_gql, "nginx proxy")
    no_errors("graphql", "gql", "query")
  }
  if (has("grpc")) {
    proto_targets("grpc unary", "grpc", "unary", "calls/s", t_grpc, "nginx grpc_pass")
    proto_targets("grpc server streaming", "grpc", "stream", "msgs/s", t_grpc, "nginx grpc_pass")
    no_errors("grpc", "grpc", "unary stream")
  }
  if (has("websocket")) {
    proto_targets("websocket echo", "ws", "echo", "round trips/s", t_ws, "nginx proxy")
    proto_targets("websocket one way", "ws", "oneway", "msgs/s", t_ws, "nginx proxy")
    no_errors("websocket", "ws", "echo oneway")
  }
  printf "\n%d target(s) failed.\n", failed
  exit failed ? 3 : 0
}
