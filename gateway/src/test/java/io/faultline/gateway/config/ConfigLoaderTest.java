package io.faultline.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.config.ListenerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir
  Path dir;

  private Path file(String yaml) throws IOException {
    Path path = dir.resolve("faultline.yaml");
    Files.writeString(path, yaml);
    return path;
  }

  private static ChaosConfigException rejected(Path file, Map<String, String> env, Map<Flag, String> flags) {
    try {
      ConfigLoader.load(file, env, flags);
    } catch (ChaosConfigException e) {
      return e;
    }
    throw new AssertionError("accepted");
  }

  @Test
  void defaultsWithNoSources() {
    GatewayConfig config = ConfigLoader.load(null, Map.of(), Map.of());
    assertThat(config.admin().host()).isEqualTo("127.0.0.1");
    assertThat(config.admin().port()).isEqualTo(9000);
    assertThat(config.listeners()).hasSize(1);
    assertThat(config.listeners().get(0).port()).isEqualTo(3000);
    assertThat(config.listeners().get(0).upstream()).isNull();
    assertThat(config.chaos().enabled()).isFalse();
  }

  /** An empty or comments-only file is allowed (a template) but said: a wrong or truncated file would start on defaults silently. */
  @Test
  void aFileWithNoSettingsIsWarnedOf() throws IOException {
    try (io.faultline.gateway.LogCapture log = io.faultline.gateway.LogCapture.of(ConfigLoader.class)) {
      Path file = file("# everything commented out\n# admin: { port: 9100 }\n");
      assertThat(ConfigLoader.load(file, Map.of(), Map.of()).admin().port()).isEqualTo(9000);
      assertThat(log.warnings()).singleElement().asString().contains(file.toString(), "holds no settings", "default");
      log.clear();
      ConfigLoader.load(file("admin: { port: 9100 }\n"), Map.of(), Map.of());
      assertThat(log.messages()).as("a file with settings").isEmpty();
    }
  }

  @Test
  void fileThenEnvironmentThenFlags() throws IOException {
    Path file = file("""
        admin: { port: 9100 }
        listeners:
          - { name: web, protocol: http, port: 3100, upstream: "http://127.0.0.1:8080" }
        chaos:
          enabled: true
          seed: 1
          latency: { fixed_delay_ms: 100, probability: 0.5 }
        """);
    GatewayConfig config = ConfigLoader.load(file,
        Map.of("FAULTLINE_HTTP_PORT", "3200", "FAULTLINE_CHAOS_LATENCY_MS", "200", "FAULTLINE_SEED", "2"),
        Map.of(Flag.CHAOS_LATENCY_MS, "300"));
    assertThat(config.admin().port()).as("file").isEqualTo(9100);
    assertThat(config.listeners().get(0).port()).as("env over file").isEqualTo(3200);
    assertThat(config.chaos().seed()).as("env over file").isEqualTo(2);
    assertThat(config.chaos().latency().fixedDelayMs()).as("flag over env").isEqualTo(300);
    assertThat(config.chaos().latency().probability()).as("untouched file value").isEqualTo(0.5);
    assertThat(config.listeners().get(0).upstream()).isEqualTo("http://127.0.0.1:8080");
  }

  @Test
  void faultFlagsSwitchChaosOnAndRangeReplacesFixed() throws IOException {
    Path file = file("chaos: { latency: { fixed_delay_ms: 100 } }\n");
    GatewayConfig config = ConfigLoader.load(file, Map.of(), Map.of(Flag.CHAOS_LATENCY_RANGE, "100-500"));
    assertThat(config.chaos().enabled()).isTrue();
    assertThat(config.chaos().latency().randomDelayRangeMs()).containsExactly(100L, 500L);
    assertThat(config.chaos().latency().fixedDelayMs()).isZero();
  }

  /**
   * A fault a flag sets acts whatever switched it off below the flag: the file's section (`enabled: false` kept
   * --chaos-latency-ms from delaying anything) and FAULTLINE_CHAOS=false in the environment (it beat the flag). A switch
   * as high as the fault (both flags, or both variables) stays as given.
   */
  @Test
  void aFaultFlagSwitchesOnWhatTheFileOrTheEnvironmentSwitchedOff() throws IOException {
    Path file = file("chaos:\n  latency: { enabled: false, fixed_delay_ms: 500 }\n  rate_limit: { enabled: false, requests_per_second: 5 }\n");
    GatewayConfig flagged = ConfigLoader.load(file, Map.of("FAULTLINE_CHAOS", "false"),
        Map.of(Flag.CHAOS_LATENCY_MS, "300", Flag.CHAOS_RATE_LIMIT, "50"));
    assertThat(flagged.chaos().enabled()).as("a flag over the environment's switch").isTrue();
    assertThat(flagged.chaos().latency().enabled()).isTrue();
    assertThat(flagged.chaos().latency().fixedDelayMs()).isEqualTo(300);
    assertThat(flagged.chaos().rateLimit().enabled()).isTrue();
    assertThat(flagged.chaos().rateLimit().requestsPerSecond()).isEqualTo(50.0);
    GatewayConfig sameLevel = ConfigLoader.load(file, Map.of("FAULTLINE_CHAOS", "false", "FAULTLINE_CHAOS_LATENCY_MS", "300"), Map.of());
    assertThat(sameLevel.chaos().enabled()).as("the environment's own switch, beside its fault").isFalse();
    assertThat(sameLevel.chaos().latency().enabled()).isTrue();
    assertThat(sameLevel.chaos().rateLimit().enabled()).as("no flag set it").isFalse();
    assertThat(ConfigLoader.load(file, Map.of(), Map.of(Flag.CHAOS, "false", Flag.CHAOS_LATENCY_MS, "300")).chaos().enabled()).isFalse();
  }

  /**
   * A flag that implies a switch ({@code --metrics-port} implies {@code --metrics}, {@code --jaeger-endpoint} implies
   * {@code --tracing}) turns it on over a file that switched it off, which left the flag doing nothing; the switch given
   * as high as the flag still wins.
   */
  @Test
  void aFlagThatImpliesASwitchTurnsItOnOverTheFile() throws IOException {
    Path file = file("metrics: { listen: false, port: 9191 }\ntracing: { enabled: false, service_name: checkout }\n");
    GatewayConfig flagged = ConfigLoader.load(file, Map.of(),
        Map.of(Flag.METRICS_PORT, "9292", Flag.JAEGER_ENDPOINT, "http://127.0.0.1:4318/v1/traces"));
    assertThat(flagged.metrics().listen()).isTrue();
    assertThat(flagged.metrics().port()).isEqualTo(9292);
    assertThat(flagged.tracing().enabled()).isTrue();
    assertThat(ConfigLoader.load(file, Map.of("FAULTLINE_METRICS_PORT", "9292"), Map.of()).metrics().listen())
        .as("the environment over the file").isTrue();
    GatewayConfig switchedOff = ConfigLoader.load(file, Map.of(), Map.of(Flag.METRICS_PORT, "9292", Flag.METRICS, "false",
        Flag.OTLP_ENDPOINT, "http://127.0.0.1:4318/v1/traces", Flag.TRACING, "false"));
    assertThat(switchedOff.metrics().listen()).isFalse();
    assertThat(switchedOff.tracing().enabled()).isFalse();
    assertThat(ConfigLoader.load(file, Map.of(), Map.of()).metrics().listen()).as("the file alone").isFalse();
    // the bridge and the Toxiproxy API, whose switches only a file sets: their port flag or variable turns them on
    Path off = file("bridge: { enabled: false, host: 127.0.0.1, port: 7000 }\ntoxiproxy: { enabled: false }\n");
    GatewayConfig ported = ConfigLoader.load(off, Map.of("FAULTLINE_TOXIPROXY_PORT", "8474"), Map.of(Flag.BRIDGE_PORT, "7001"));
    assertThat(ported.bridge().enabled()).isTrue();
    assertThat(ported.bridge().port()).isEqualTo(7001);
    assertThat(ported.toxiproxy().enabled()).isTrue();
    assertThat(ConfigLoader.load(off, Map.of(), Map.of()).bridge().enabled()).isFalse();
  }

  /**
   * A flag writes only where it points: a section the file shares through a YAML anchor (a rule's `latency: *l`) keeps
   * the file's value, as do a rule's sections a latency range flag removes the fixed delay of. Both changed the rule too.
   * And a listener list the file gives is kept as it is beside a listener a flag adds (a --grpc-upstream added a web
   * listener on :3000 beside a file's tcp listener); the file's protocol is read in any case (`HTTP` got a second one).
   */
  @Test
  void aFlagWritesOnlyWhereItPoints() throws IOException {
    Path file = file("""
        listeners:
          - { name: db, protocol: tcp, port: 0, upstream: "127.0.0.1:5432" }
        chaos:
          latency: &shared { fixed_delay_ms: 100 }
          rules:
            - { name: r, match: { path: /r }, latency: *shared }
        """);
    GatewayConfig config = ConfigLoader.load(file, Map.of(), Map.of(Flag.CHAOS_LATENCY_MS, "300", Flag.GRPC_UPSTREAM, "127.0.0.1:50051",
        Flag.GRPC_PORT, "0"));
    assertThat(config.chaos().latency().fixedDelayMs()).isEqualTo(300);
    assertThat(config.chaos().rules().get(0).latency().fixedDelayMs()).as("the rule's, through the alias").isEqualTo(100);
    assertThat(config.listeners().stream().map(ListenerConfig::name).toList()).containsExactly("db", "rpc");
    GatewayConfig ranged = ConfigLoader.load(file, Map.of(), Map.of(Flag.CHAOS_LATENCY_RANGE, "10-20"));
    assertThat(ranged.chaos().latency().randomDelayRangeMs()).containsExactly(10L, 20L);
    assertThat(ranged.chaos().rules().get(0).latency().fixedDelayMs()).isEqualTo(100);
    GatewayConfig upper = ConfigLoader.load(file("listeners:\n  - { name: web, protocol: HTTP, port: 3100, upstream: \"http://127.0.0.1:8080\" }\n"),
        Map.of(), Map.of(Flag.HTTP_PORT, "3200"));
    assertThat(upper.listeners()).hasSize(1);
    assertThat(upper.listeners().get(0).port()).isEqualTo(3200);
    assertThat(ConfigLoader.load(null, Map.of(), Map.of(Flag.GRPC_UPSTREAM, "127.0.0.1:50051", Flag.GRPC_PORT, "0")).listeners().stream()
        .map(ListenerConfig::name).toList()).as("no file: the built-in web listener stays beside it").containsExactly("web", "rpc");
  }

  @Test
  void chaosFlagsRefineTheScenarioTheyComeWithFieldByField() {
    // network_degradation: 500 ms with 20 % jitter; the flag sets only the share of requests delayed
    GatewayConfig config = ConfigLoader.load(null, Map.of(),
        Map.of(Flag.CHAOS_SCENARIO, "network_degradation", Flag.CHAOS_LATENCY_PROBABILITY, "0.8"));
    assertThat(config.chaos().latency().fixedDelayMs()).as("the scenario's delay stays").isEqualTo(500);
    assertThat(config.chaos().latency().jitterPercent()).as("and its jitter").isEqualTo(20.0);
    assertThat(config.chaos().latency().probability()).isEqualTo(0.8);
    // reference 001's serve line: the range replaces the scenario's fixed delay, its jitter stays
    GatewayConfig reference = ConfigLoader.load(null, Map.of(),
        Map.of(Flag.CHAOS_SCENARIO, "network_degradation", Flag.CHAOS_LATENCY_RANGE, "100-500"));
    assertThat(reference.chaos().latency().randomDelayRangeMs()).containsExactly(100L, 500L);
    assertThat(reference.chaos().latency().fixedDelayMs()).isZero();
    assertThat(reference.chaos().latency().jitterPercent()).isEqualTo(20.0);
    // what the running node applies: the refined section over the rest of the scenario
    io.faultline.chaos.state.ChaosState state = new io.faultline.chaos.state.ChaosState(config.chaos());
    assertThat(state.config().latency().fixedDelayMs()).isEqualTo(500);
    assertThat(state.config().latency().probability()).isEqualTo(0.8);
    assertThat(state.config().trafficShaping().packetLossPercent()).as("the scenario's other sections").isEqualTo(5.0);
    // the errors alone, the scenario's probability kept (refused before: "needs a probability")
    GatewayConfig errors = ConfigLoader.load(null, Map.of(),
        Map.of(Flag.CHAOS_SCENARIO, "service_instability", Flag.CHAOS_HTTP_ERRORS, "503"));
    assertThat(errors.chaos().faultInjection().httpErrors()).containsExactly(503);
    assertThat(errors.chaos().faultInjection().httpErrorProbability()).isEqualTo(
        io.faultline.chaos.config.Scenarios.builtIn("service_instability").config().faultInjection().httpErrorProbability());
    // a scenario without errors of its own still needs the flag's probability
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(),
            Map.of(Flag.CHAOS_SCENARIO, "slow_backend", Flag.CHAOS_HTTP_ERRORS, "503")))
        .hasMessageContaining("needs a probability");
  }

  /**
   * Stopping a scenario a file or flags refined ends its faults: the refined sections were the scenario's. A
   * hunt's {@code --chaos-scenario slow_backend --chaos-latency-probability 0.5}, stopped, went on delaying
   * half the requests by 2 s, with the status saying no scenario. A section the scenario lacks stays.
   */
  @Test
  void stoppingARefinedScenarioEndsItsSectionsAndKeepsTheConfigsOwn() throws IOException {
    Path file = file("chaos: {enabled: true, scenario: slow_backend, latency: {probability: 0.5},"
        + " rate_limit: {requests_per_second: 7}}\n");
    io.faultline.chaos.state.ChaosState state = new io.faultline.chaos.state.ChaosState(ConfigLoader.load(file, Map.of(), Map.of()).chaos());
    assertThat(state.config().latency().fixedDelayMs()).isEqualTo(2_000);
    assertThat(state.config().latency().probability()).isEqualTo(0.5);
    state.stopScenario();
    assertThat(state.config().latency()).as("the scenario's section, refined").isNull();
    assertThat(state.config().rateLimit().requestsPerSecond()).as("the config's own section").isEqualTo(7.0);
    assertThat(state.config().enabled()).isTrue();
  }

  @Test
  void aListenerAFlagAddsComesAfterTheFilesSoErrorsNameTheFilesIndexes() throws IOException {
    Path file = file("listeners:\n  - {name: t, protocol: tcp, port: 0, upstream: \"127.0.0.1:1\","
        + " chaos: {latency: {fixed_delay_ms: -1}}}\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of(Flag.HTTP_PORT, "4199")))
        .isInstanceOfSatisfying(io.faultline.chaos.config.ChaosConfigException.class,
            e -> assertThat(e.field()).isEqualTo("listeners[0].chaos.latency.fixed_delay_ms"));
  }

  @Test
  void anEmptyListenerItemIsNamed() throws IOException {
    Path file = file("listeners:\n  - \n");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
        .isInstanceOfSatisfying(io.faultline.chaos.config.ChaosConfigException.class, e -> {
          assertThat(e.field()).isEqualTo("listeners[0]");
          assertThat(e.getMessage()).isEqualTo("is empty: a listener needs at least name, protocol and port (" + file + " line 2)");
        });
  }

  @Test
  void referenceFlagsMapToTheirFields() {
    GatewayConfig config = ConfigLoader.load(null, Map.of(), Map.of(
        Flag.CHAOS, "true", Flag.CHAOS_HTTP_ERRORS, "500,503", Flag.CHAOS_HTTP_ERROR_PROBABILITY, "0.25",
        Flag.CHAOS_RATE_LIMIT, "100", Flag.CHAOS_BANDWIDTH_LIMIT, "1000000", Flag.CHAOS_PACKET_LOSS, "5.0",
        Flag.CHAOS_SCENARIO, "network_degradation", Flag.UPSTREAM, "http://127.0.0.1:9"));
    assertThat(config.chaos().faultInjection().httpErrors()).containsExactly(500, 503);
    assertThat(config.chaos().faultInjection().httpErrorProbability()).isEqualTo(0.25);
    assertThat(config.chaos().rateLimit().requestsPerSecond()).isEqualTo(100.0);
    assertThat(config.chaos().trafficShaping().bandwidthLimitBps()).isEqualTo(1_000_000);
    assertThat(config.chaos().trafficShaping().packetLossPercent()).isEqualTo(5.0);
    assertThat(config.chaos().scenario()).isEqualTo("network_degradation");
  }

  @Test
  void websocketFlagsAddAListenerAndSetTheWebsocketSection() {
    GatewayConfig config = ConfigLoader.load(null, Map.of("FAULTLINE_CHAOS_MESSAGE_DROP", "0.1"), Map.of(
        Flag.WEBSOCKET_UPSTREAM, "ws://127.0.0.1:8081", Flag.WEBSOCKET_PORT, "3012",
        Flag.CHAOS_MESSAGE_CORRUPT, "0.2", Flag.CHAOS_DISCONNECT_AFTER_MS, "30000", Flag.CHAOS_CLOSE_CODE, "1012"));
    assertThat(config.listeners()).extracting(l -> l.name() + ":" + l.protocol() + ":" + l.port())
        .containsExactly("web:http:3000", "live:websocket:3012");
    assertThat(config.chaos().enabled()).isTrue();
    assertThat(config.chaos().websocket().messageDropProbability()).isEqualTo(0.1);
    assertThat(config.chaos().websocket().messageCorruptProbability()).isEqualTo(0.2);
    assertThat(config.chaos().websocket().disconnectAfterMs()).isEqualTo(30_000);
    assertThat(config.chaos().websocket().closeCode()).isEqualTo(1012);
    ChaosConfigException http = rejected(null, Map.of(), Map.of(Flag.WEBSOCKET_UPSTREAM, "http://127.0.0.1:8081"));
    assertThat(http.field()).isEqualTo("listeners[1].upstream");
    assertThat(http.getMessage()).contains("ws:// or wss://");
    ChaosConfigException code = rejected(null, Map.of(), Map.of(Flag.CHAOS_CLOSE_CODE, "1005"));
    assertThat(code.field()).isEqualTo("chaos.websocket.close_code");
  }

  @Test
  void eachProtocolModuleGivesItsDefaultPortAndChecksItsUpstreams() throws IOException {
    GatewayConfig config = ConfigLoader.load(file("""
        listeners:
          - { name: a, protocol: grpc, upstream: "127.0.0.1:50051" }
          - { name: b, protocol: WebSocket, upstream: "ws://127.0.0.1:8081" }
          - { name: c, protocol: graphql, upstream: "http://127.0.0.1:4000/graphql" }
          - { name: d }
          - { name: e, protocol: tcp, upstream: "127.0.0.1:5432" }
        """), Map.of(), Map.of());
    assertThat(config.listeners()).extracting(l -> l.protocol() + ":" + l.port())
        .containsExactly("grpc:3001", "websocket:3002", "graphql:3003", "http:3000", "tcp:3004");
    ChaosConfigException unknown = rejected(file("listeners: [{ name: x, protocol: smtp, upstream: \"127.0.0.1:25\" }]"), Map.of(), Map.of());
    assertThat(unknown.field()).isEqualTo("listeners[0].protocol");
    assertThat(unknown.getMessage()).contains("[http, grpc, websocket, graphql, tcp]").contains("smtp");
    ChaosConfigException noUpstream = rejected(file("listeners: [{ name: x, protocol: grpc }]"), Map.of(), Map.of());
    assertThat(noUpstream.field()).isEqualTo("listeners[0].upstream");
    ChaosConfigException route = rejected(file("""
        listeners:
          - name: x
            protocol: grpc
            upstream: "127.0.0.1:50051"
            routes: [{ name: r, path: "/a.B/*", upstream: "ws://127.0.0.1:1" }]
        """), Map.of(), Map.of());
    assertThat(route.field()).isEqualTo("listeners[0].routes[0].upstream");
    // a path, which no call would go to (a call's path is its method's): an ingress routing by it answered 404
    ChaosConfigException path = rejected(file("listeners: [{ name: x, protocol: grpc, upstream: \"http://127.0.0.1:8080/grpc\" }]"),
        Map.of(), Map.of());
    assertThat(path.field()).isEqualTo("listeners[0].upstream");
    assertThat(path.getMessage()).contains("must not have a path for a grpc listener (/grpc)");
    ChaosConfigException star = rejected(file("""
        listeners:
          - name: x
            upstream: "http://127.0.0.1:8080"
            routes: [{ name: j, path: "*.json", upstream: "http://127.0.0.1:8081" }]
        """), Map.of(), Map.of());
    assertThat(star.field()).isEqualTo("listeners[0].routes[0].path");
    assertThat(star.getMessage()).contains("matches nothing");
    // an empty host matched no request's host: the route took nothing, and all its traffic went to the default upstream
    ChaosConfigException host = rejected(file("""
        listeners:
          - name: x
            upstream: "http://127.0.0.1:8080"
            routes: [{ name: api, host: "", upstream: "http://127.0.0.1:8081" }]
        """), Map.of(), Map.of());
    assertThat(host.field()).isEqualTo("listeners[0].routes[0].host");
    assertThat(host.getMessage()).contains("must not be empty");
  }

  @Test
  void anUpstreamPortOutOfRangeIsRefusedNamingTheField() throws IOException {
    ChaosConfigException flag = rejected(null, Map.of(), Map.of(Flag.UPSTREAM, "http://127.0.0.1:99999"));
    assertThat(flag.field()).isEqualTo("listeners[0].upstream");
    assertThat(flag.getMessage()).contains("between 1 and 65535").contains("http://127.0.0.1:99999");
    ChaosConfigException route = rejected(file("""
        listeners:
          - name: x
            upstream: "http://127.0.0.1:8080"
            routes: [{ name: c, path: "/c/**", upstream: "http://127.0.0.1:0" }]
        """), Map.of(), Map.of());
    assertThat(route.field()).isEqualTo("listeners[0].routes[0].upstream");
    assertThat(route.getMessage()).contains("between 1 and 65535");
    ChaosConfigException tcp = rejected(file("listeners: [{ name: t, protocol: tcp, upstream: \"127.0.0.1:70000\" }]"), Map.of(), Map.of());
    assertThat(tcp.field()).isEqualTo("listeners[0].upstream");
    ChaosConfigException letters = rejected(null, Map.of(), Map.of(Flag.UPSTREAM, "http://127.0.0.1:abc"));
    assertThat(letters.getMessage()).isEqualTo("port must be a number between 1 and 65535, got http://127.0.0.1:abc (set by --upstream)");
    // Docker and Compose service names often have '_', which java.net.URI takes for no host
    GatewayConfig compose = ConfigLoader.load(null, Map.of(), Map.of(Flag.UPSTREAM, "http://my_svc:8080/api", Flag.TCP_UPSTREAM, "my_db:5432"));
    assertThat(compose.listeners()).extracting(l -> l.upstream() == null ? null : io.faultline.chaos.config.Upstream.parse(l.upstream(), "u"))
        .containsExactly(new io.faultline.chaos.config.Upstream("http", "my_svc", 8080, "/api"),
            new io.faultline.chaos.config.Upstream("http", "my_db", 5432, ""));
  }

  /**
   * An upstream URL missing the {@code //} after its scheme is refused, naming the field: {@code http:/127.0.0.1:8080} went to
   * a host called http, port 80. A value java.net.URI reads as relative was refused with a NullPointerException's text.
   */
  @Test
  void anUpstreamUrlMissingItsSlashesIsRefused() {
    ChaosConfigException oneSlash = rejected(null, Map.of(), Map.of(Flag.UPSTREAM, "http:/127.0.0.1:8080"));
    assertThat(oneSlash.field()).isEqualTo("listeners[0].upstream");
    assertThat(oneSlash.getMessage()).startsWith("names a scheme without the // after it: write http://host:port");
    assertThat(rejected(null, Map.of(), Map.of(Flag.UPSTREAM, "https:api.example")).getMessage()).contains("write https://host:port");
    ChaosConfigException relative = rejected(null, Map.of(), Map.of(Flag.UPSTREAM, "/foo://x"));
    assertThat(relative.field()).isEqualTo("listeners[0].upstream");
    assertThat(relative.getMessage()).startsWith("is not a valid URL: /foo://x");
    // a host called http with a port is still a host and a port, as my_db:5432 is
    assertThat(io.faultline.chaos.config.Upstream.parse("grpc:50051", "u")).isEqualTo(new io.faultline.chaos.config.Upstream("http", "grpc", 50051, ""));
  }

  /** An upstream URL's query, fragment or credentials are refused naming the field: they were dropped without a word. */
  @Test
  void anUpstreamUrlsQueryFragmentOrCredentialsAreRefused() {
    for (String url : java.util.List.of("http://127.0.0.1:8080/v1?key=abc", "http://127.0.0.1:8080/v1#frag", "http://u:p@127.0.0.1:8080/v1")) {
      ChaosConfigException refused = rejected(null, Map.of(), Map.of(Flag.UPSTREAM, url));
      assertThat(refused.field()).as(url).isEqualTo("listeners[0].upstream");
      assertThat(refused.getMessage()).as(url).containsAnyOf("query", "fragment", "credentials");
      assertThat(refused.getMessage()).as("the password is not repeated").doesNotContain("u:p@");
    }
  }

  @Test
  void anErrorNamesTheFlagOnlyWhereTheFlagLanded() throws IOException {
    // --http-port sets the first http listener, here the file's second
    Path config = file("""
        listeners:
          - { name: g, protocol: grpc, upstream: "http://127.0.0.1:50051", port: 70000 }
          - { name: web, upstream: "http://127.0.0.1:8080" }
        """);
    ChaosConfigException fromFile = rejected(config, Map.of(), Map.of(Flag.HTTP_PORT, "3100"));
    assertThat(fromFile.field()).isEqualTo("listeners[0].port");
    assertThat(fromFile.getMessage()).doesNotContain("set by");
    Files.writeString(config, Files.readString(config).replace("70000", "50052"));
    ChaosConfigException fromFlag = rejected(config, Map.of(), Map.of(Flag.HTTP_PORT, "70000"));
    assertThat(fromFlag.field()).isEqualTo("listeners[1].port");
    assertThat(fromFlag.getMessage()).endsWith("(set by --http-port)");
  }

  @Test
  void aConfigFileThatIsNotUtf8NamesItsLineAndColumn() throws IOException {
    Path latin1 = dir.resolve("latin1.yaml");
    Files.write(latin1, "admin: { port: 9100 }\nlisteners: [{ name: caf\u00e9, upstream: \"http://127.0.0.1:8080\" }]\n"
        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    ChaosConfigException e = rejected(latin1, Map.of(), Map.of());
    assertThat(e.field()).isEqualTo("config");
    assertThat(e.getMessage()).isEqualTo(latin1 + " line 2, column 24: byte 0xE9 is not UTF-8; save the file as UTF-8");
  }

  @Test
  void clusterJoinFlagsWithoutClusteringAreRefusedNotIgnored() {
    ChaosConfigException members = rejected(null, Map.of(), Map.of(Flag.CLUSTER_MEMBERS, "127.0.0.1:5701,127.0.0.1:5702"));
    assertThat(members.field()).isEqualTo("cluster.enabled");
    assertThat(members.getMessage()).isEqualTo("--cluster-members joins no cluster while clustering is off: add --cluster"
        + " (or FAULTLINE_CLUSTER=true, or cluster.enabled: true in the config)");
    assertThat(rejected(null, Map.of("FAULTLINE_CLUSTER_PORT", "5705"), Map.of()).getMessage()).startsWith("FAULTLINE_CLUSTER_PORT joins no cluster");
    // with clustering on, or switched off on purpose, they are taken; a standalone node may carry its name and place
    assertThat(ConfigLoader.load(null, Map.of(), Map.of(Flag.CLUSTER, "true", Flag.CLUSTER_HOST, "127.0.0.1")).cluster().enabled()).isTrue();
    assertThat(ConfigLoader.load(null, Map.of("FAULTLINE_CLUSTER", "false"), Map.of(Flag.CLUSTER_MEMBERS, "h:5701")).cluster().enabled()).isFalse();
    assertThat(ConfigLoader.load(null, Map.of(), Map.of(Flag.NODE_ID, "n1", Flag.REGION, "eu", Flag.ZONE, "b")).cluster().region()).isEqualTo("eu");
    // a member's port is a port: 70000 and 0 were taken, and the node ran alone
    for (String member : java.util.List.of("10.0.0.2:70000", "10.0.0.2:0")) {
      ChaosConfigException port = rejected(null, Map.of(), Map.of(Flag.CLUSTER, "true", Flag.CLUSTER_MEMBERS, "10.0.0.3:5701," + member));
      assertThat(port.field()).isEqualTo("cluster.members[1]");
      assertThat(port.getMessage()).isEqualTo("the port must be from 1 to 65535, got " + member + " (set by --cluster-members)");
    }
  }

  /** A metrics or bridge host with no port turned nothing on, unsaid (a port alone turns them on): refused, naming what would. */
  @Test
  void aMetricsOrBridgeHostAloneIsRefusedNotIgnored() throws IOException {
    ChaosConfigException metrics = rejected(file("metrics: { host: 0.0.0.0 }\n"), Map.of(), Map.of());
    assertThat(metrics.field()).isEqualTo("metrics.host");
    assertThat(metrics.getMessage()).contains("serves nothing while the metrics listener is off: add metrics.port");
    ChaosConfigException bridge = rejected(file("bridge: { host: 0.0.0.0 }\n"), Map.of(), Map.of());
    assertThat(bridge.field()).isEqualTo("bridge.host");
    assertThat(bridge.getMessage()).contains("add bridge.port");
    // with a port, a switch, or switched off on purpose, they are taken
    assertThat(ConfigLoader.load(file("metrics: { host: 0.0.0.0, port: 9191 }\n"), Map.of(), Map.of()).metrics().listen()).isTrue();
    assertThat(ConfigLoader.load(file("metrics: { host: 0.0.0.0 }\n"), Map.of(), Map.of(Flag.METRICS, "true")).metrics().listen()).isTrue();
    assertThat(ConfigLoader.load(file("bridge: { host: 0.0.0.0, enabled: false }\n"), Map.of(), Map.of()).bridge().enabled()).isFalse();
  }

  /** --toxiproxy-host alone left the Toxiproxy API off, unsaid: refused as a lone cluster flag is, unless switched off on purpose. */
  @Test
  void aToxiproxyHostWithoutTheApiIsRefusedNotIgnored() throws IOException {
    ChaosConfigException host = rejected(null, Map.of(), Map.of(Flag.TOXIPROXY_HOST, "0.0.0.0"));
    assertThat(host.field()).isEqualTo("toxiproxy.enabled");
    assertThat(host.getMessage()).isEqualTo("--toxiproxy-host serves nothing while the Toxiproxy API is off: add --toxiproxy-port PORT"
        + " (or FAULTLINE_TOXIPROXY_PORT, or toxiproxy.enabled: true in the config)");
    assertThat(rejected(null, Map.of("FAULTLINE_TOXIPROXY_HOST", "0.0.0.0"), Map.of()).getMessage())
        .startsWith("FAULTLINE_TOXIPROXY_HOST serves nothing");
    assertThat(ConfigLoader.load(null, Map.of(), Map.of(Flag.TOXIPROXY_HOST, "0.0.0.0", Flag.TOXIPROXY_PORT, "0")).toxiproxy().enabled())
        .isTrue();
    assertThat(ConfigLoader.load(file("toxiproxy: { enabled: false }\n"), Map.of("FAULTLINE_TOXIPROXY_HOST", "0.0.0.0"), Map.of())
        .toxiproxy().enabled()).as("switched off on purpose").isFalse();
  }

  @Test
  void aListenerCannotShareAPortWithAnotherListenerOrTheNodesOwnServers() throws IOException {
    Path shared = file("""
        admin: { port: 9100 }
        listeners: [{ name: a, upstream: "http://127.0.0.1:8080", port: 9100 }]
        """);
    ChaosConfigException admin = rejected(shared, Map.of(), Map.of());
    assertThat(admin.field()).isEqualTo("listeners[0].port");
    assertThat(admin.getMessage()).isEqualTo("port 9100 is already the admin API's (admin.port) (" + shared + " line 2)");
    ChaosConfigException twice = rejected(file("""
        listeners:
          - { name: a, upstream: "http://127.0.0.1:8080", port: 3100 }
          - { name: b, protocol: tcp, upstream: "127.0.0.1:5432", host: 0.0.0.0, port: 3100 }
        """), Map.of(), Map.of());
    assertThat(twice.field()).isEqualTo("listeners[1].port");
    assertThat(twice.getMessage()).startsWith("port 3100 is already listener a's (listeners[0].port) (").endsWith(" line 3)");
    ChaosConfigException toxiproxy = rejected(null, Map.of(), Map.of(Flag.TOXIPROXY_PORT, "8474", Flag.TCP_UPSTREAM, "127.0.0.1:5432",
        Flag.TCP_PORT, "8474"));
    assertThat(toxiproxy.field()).isEqualTo("listeners[1].port");
    assertThat(toxiproxy.getMessage()).contains("the Toxiproxy API");
    // nor do the node's own servers share one: the metrics server on the admin port took every other console request
    ChaosConfigException metrics = rejected(null, Map.of(), Map.of(Flag.METRICS_PORT, "9000"));
    assertThat(metrics.field()).isEqualTo("metrics.port");
    assertThat(metrics.getMessage()).startsWith("port 9000 is already the admin API's (admin.port)");
    ChaosConfigException bridge = rejected(file("toxiproxy: { enabled: true, port: 8474 }\n"), Map.of(), Map.of(Flag.BRIDGE_PORT, "8474"));
    assertThat(bridge.field()).isEqualTo("bridge.port");
    assertThat(bridge.getMessage()).startsWith("port 8474 is already the Toxiproxy API's (toxiproxy.port)");
    assertThat(ConfigLoader.load(null, Map.of(), Map.of(Flag.METRICS_PORT, "9464")).metrics().port()).isEqualTo(9464);
    GatewayConfig apart = ConfigLoader.load(file("""
        listeners:
          - { name: a, upstream: "http://127.0.0.1:8080", host: 127.0.0.1, port: 3100 }
          - { name: b, upstream: "http://127.0.0.1:8080", host: 127.0.0.2, port: 3100 }
        """), Map.of(), Map.of());
    assertThat(apart.listeners()).hasSize(2);
  }

  /**
   * A flag does not replace a section the file mistyped: refused as the file alone is, naming the section, its line and
   * the flag. A listener list without its dash was dropped for --http-port's own listener, answered by the mock upstream.
   */
  @Test
  void aFlagDoesNotReplaceASectionTheFileMistyped() throws IOException {
    Path noDash = file("""
        listeners:
          name: web
          upstream: "http://127.0.0.1:8080"
        """);
    ChaosConfigException listeners = rejected(noDash, Map.of(), Map.of(Flag.HTTP_PORT, "3100"));
    assertThat(listeners.field()).isEqualTo("listeners");
    assertThat(listeners.getMessage()).startsWith("must be a list of listeners (each item begins with '- ')")
        .endsWith("(" + noDash + " line 1; --http-port sets listeners[0].port in it)");
    Path switched = file("chaos: true\n");
    ChaosConfigException chaos = rejected(switched, Map.of(), Map.of(Flag.CHAOS_LATENCY_MS, "100"));
    assertThat(chaos.field()).isEqualTo("chaos");
    assertThat(chaos.getMessage()).isEqualTo("must be a mapping of fields, got true (" + switched
        + " line 1; --chaos-latency-ms sets chaos.latency.fixed_delay_ms in it)");
    // an empty list is no listeners, as without a flag: the built-in web listener stays beside the flag's
    GatewayConfig empty = ConfigLoader.load(file("listeners: []\n"), Map.of(), Map.of(Flag.GRPC_UPSTREAM, "127.0.0.1:50051"));
    assertThat(empty.listeners().stream().map(ListenerConfig::protocol).toList()).containsExactly("http", "grpc");
  }

  @Test
  void badFlagValueNamesTheFlagFieldAndValue() {
    ChaosConfigException e = rejected(null, Map.of(), Map.of(Flag.CHAOS_LATENCY_PROBABILITY, "1.5"));
    assertThat(e.field()).isEqualTo("chaos.latency.probability");
    assertThat(e.getMessage()).contains("1.5").contains("--chaos-latency-probability");
    ChaosConfigException notANumber = rejected(null, Map.of(), Map.of(Flag.HTTP_PORT, "eighty"));
    assertThat(notANumber.field()).isEqualTo("--http-port");
    assertThat(notANumber.getMessage()).contains("eighty");
    ChaosConfigException port = rejected(null, Map.of("FAULTLINE_ADMIN_PORT", "70000"), Map.of());
    assertThat(port.field()).isEqualTo("admin.port");
    assertThat(port.getMessage()).contains("70000").contains("FAULTLINE_ADMIN_PORT");
    // what Kubernetes sets for a Service named faultline-admin: said to be that
    ChaosConfigException link = rejected(null, Map.of("FAULTLINE_ADMIN_PORT", "tcp://10.0.0.7:9000"), Map.of());
    assertThat(link.field()).isEqualTo("FAULTLINE_ADMIN_PORT");
    assertThat(link.getMessage()).isEqualTo("must be a whole number, got tcp://10.0.0.7:9000 (a Kubernetes service link: a Service named"
        + " faultline-admin set it; give the pod enableServiceLinks: false)");
    // a listener a port flag adds, lacking what no flag gave it: the flag is named, and the one to add
    ChaosConfigException grpc = rejected(null, Map.of(), Map.of(Flag.GRPC_PORT, "0"));
    assertThat(grpc.field()).isEqualTo("listeners[1].upstream");
    assertThat(grpc.getMessage()).endsWith("is required for a grpc listener (in the listener --grpc-port adds: give --grpc-upstream)");
    assertThat(rejected(null, Map.of("FAULTLINE_TCP_PORT", "0"), Map.of()).getMessage())
        .endsWith("(in the listener FAULTLINE_TCP_PORT adds: give FAULTLINE_TCP_UPSTREAM)");
  }

  @Test
  void theShutdownGraceComesFromAnySourceAndIsBounded() throws IOException {
    assertThat(ConfigLoader.load(null, Map.of(), Map.of()).shutdownGraceMs()).isEqualTo(5_000L);
    assertThat(ConfigLoader.load(file("shutdown_grace_ms: 0"), Map.of(), Map.of()).shutdownGraceMs()).isZero();
    assertThat(ConfigLoader.load(null, Map.of("FAULTLINE_SHUTDOWN_GRACE_MS", "2500"), Map.of()).shutdownGraceMs()).isEqualTo(2500L);
    ChaosConfigException negative = rejected(null, Map.of(), Map.of(Flag.SHUTDOWN_GRACE_MS, "-1"));
    assertThat(negative.field()).isEqualTo("shutdown_grace_ms");
    assertThat(negative.getMessage()).contains("between 0 and 3600000").contains("-1");
    assertThat(rejected(file("shutdown_grace_ms: 3600001"), Map.of(), Map.of()).field()).isEqualTo("shutdown_grace_ms");
  }

  @Test
  void aBlankAdminTokenFromAnySourceIsRefused() throws IOException {
    ChaosConfigException fromEnv = rejected(null, Map.of("FAULTLINE_ADMIN_TOKEN", " \t"), Map.of());
    assertThat(fromEnv.field()).isEqualTo("admin.token");
    assertThat(fromEnv.getMessage()).contains("FAULTLINE_ADMIN_TOKEN");
    ChaosConfigException fromFile = rejected(file("admin: { token: \"   \" }"), Map.of(), Map.of());
    assertThat(fromFile.field()).isEqualTo("admin.token");
    assertThat(ConfigLoader.load(null, Map.of("FAULTLINE_ADMIN_TOKEN", ""), Map.of()).admin().token())
        .as("an empty variable is an unset one").isNull();
    // unless the admin API listens beyond loopback: a token command that failed left it empty, and the node unguarded
    ChaosConfigException exposed = rejected(null, Map.of("FAULTLINE_ADMIN_TOKEN", ""), Map.of(Flag.ADMIN_HOST, "0.0.0.0"));
    assertThat(exposed.field()).isEqualTo("admin.token");
    assertThat(exposed.getMessage()).contains("FAULTLINE_ADMIN_TOKEN is set but empty").contains("0.0.0.0");
  }

  @Test
  void theAdminsAllowedHostsComeFromAnySourceAndMustBeHostNames() throws IOException {
    assertThat(ConfigLoader.load(null, Map.of(), Map.of()).admin().allowedHosts()).isEmpty();
    assertThat(ConfigLoader.load(file("admin: { allowed_hosts: [Faultline.Example.com, \"[fd00::5]\"] }"), Map.of(), Map.of())
        .admin().allowedHosts()).containsExactly("faultline.example.com", "[fd00::5]");
    assertThat(ConfigLoader.load(null, Map.of("FAULTLINE_ADMIN_ALLOWED_HOSTS", "a.test, b.test"), Map.of()).admin().allowedHosts())
        .containsExactly("a.test", "b.test");
    assertThat(ConfigLoader.load(null, Map.of(), Map.of(Flag.ADMIN_ALLOWED_HOSTS, "chaos.internal")).admin().allowedHosts())
        .containsExactly("chaos.internal");
    for (String bad : new String[] {"https://faultline.example.com", "faultline.example.com:9000", "faultline.example.com/x", " "}) {
      ChaosConfigException e = rejected(null, Map.of(), Map.of(Flag.ADMIN_ALLOWED_HOSTS, bad.isBlank() ? "a.test, , b.test" : bad));
      assertThat(e.field()).as(bad).isEqualTo("admin.allowed_hosts");
      assertThat(e.getMessage()).as(bad).contains(bad.isBlank() ? "blank" : "got " + bad);
    }
    assertThat(rejected(file("admin: { allowed_hosts: [\"http://x\"] }"), Map.of(), Map.of()).field()).isEqualTo("admin.allowed_hosts");
  }

  @Test
  void anErrorInTheFileSaysWhichLineOfItHoldsTheField() throws IOException {
    Path config = file("""
        admin:
          port: 9000
        chaos:
          enabled: true
          latency:
            fixd_delay_ms: 10
        """);
    ChaosConfigException unknown = rejected(config, Map.of(), Map.of());
    assertThat(unknown.field()).isEqualTo("chaos.latency.fixd_delay_ms");
    assertThat(unknown.getMessage()).startsWith("unknown field").endsWith("(" + config + " line 6)");
    ChaosConfigException type = rejected(file("""
        listeners:
          - name: web
            protocol: http
            port: "abc"
            upstream: http://127.0.0.1:8080
        """), Map.of(), Map.of());
    assertThat(type.getMessage()).startsWith("must be a whole number, got abc (").endsWith(".yaml line 4)");
    // a field the file left out: the line of what holds it
    assertThat(rejected(file("listeners:\n  - {name: web, protocol: grpc, port: 3000}\n"), Map.of(), Map.of()).getMessage())
        .endsWith(" line 2)");
    // reference 001's observability.chaos form: the line where the file wrote it
    ChaosConfigException lifted = rejected(file("observability:\n  chaos:\n    latency:\n      fixd: 5\n"), Map.of(), Map.of());
    assertThat(lifted.field()).isEqualTo("observability.chaos.latency.fixd");
    assertThat(lifted.getMessage()).endsWith(" line 4)");
    // what a flag set is named by the flag, as before, not by a line of the file
    assertThat(rejected(config, Map.of(), Map.of(Flag.CHAOS_LATENCY_MS, "-1")).getMessage()).contains("(set by --chaos-latency-ms)")
        .doesNotContain(" line ");
  }

  @Test
  void duplicateKeysAndAliasBombsInAConfigFileAreRefused() throws IOException {
    ChaosConfigException duplicate = rejected(file("chaos:\n  enabled: true\n  seed: 1\n  enabled: false\n"), Map.of(), Map.of());
    assertThat(duplicate.field()).isEqualTo("config");
    assertThat(duplicate.getMessage()).contains("line 4").contains("duplicate key enabled");
    ChaosConfigException json = rejected(file("{\"admin\": {\"port\": 1}, \"admin\": {\"port\": 2}}"), Map.of(), Map.of());
    assertThat(json.getMessage()).contains("duplicate key admin");
    StringBuilder bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (char c = 'b'; c <= 'j'; c++) {
      bomb.append(c).append(": &").append(c).append(" [").append(("*" + (char) (c - 1) + ",").repeat(9)).append('*').append((char) (c - 1)).append("]\n");
    }
    assertThat(rejected(file(bomb.toString()), Map.of(), Map.of()).getMessage()).contains("anchors and aliases");
  }

  /** Reference 001's "Configuration Integration" block, as written there (copied unchanged into test resources). */
  @Test
  void theReferenceConfigBlockUnderObservabilityIsTheChaosSection() throws Exception {
    Path reference = Path.of(ConfigLoaderTest.class.getResource("/reference/001-config-integration.yaml").toURI());
    GatewayConfig config = ConfigLoader.load(reference, Map.of(), Map.of());
    assertThat(config.chaos().enabled()).isTrue();
    assertThat(config.chaos().scenario()).isEqualTo("network_degradation");
    assertThat(config.chaos().latency().fixedDelayMs()).isEqualTo(500);
    assertThat(config.chaos().latency().probability()).isEqualTo(0.8);
    assertThat(config.chaos().faultInjection().httpErrors()).containsExactly(500, 503);
    assertThat(config.chaos().rateLimit().burstSize()).isEqualTo(10);
    assertThat(config.chaos().trafficShaping().packetLossPercent()).isEqualTo(2.0);
    ChaosConfigException both = rejected(file("chaos: { enabled: true }\nobservability:\n  chaos: { enabled: false }\n"), Map.of(), Map.of());
    assertThat(both.field()).isEqualTo("observability.chaos");
    assertThat(both.getMessage()).contains("both chaos and observability.chaos");
    ChaosConfigException inside = rejected(file("observability:\n  chaos: { latency: { probability: 2 } }\n"), Map.of(), Map.of());
    assertThat(inside.field()).as("errors name the path as written").isEqualTo("observability.chaos.latency.probability");
    assertThat(rejected(file("observability:\n  tracing: true\n"), Map.of(), Map.of()).field()).isEqualTo("observability.tracing");
  }

  @Test
  void metricsFlagOpensAPrometheusListenerOnPort9090UnlessGivenAnother() {
    assertThat(ConfigLoader.load(null, Map.of(), Map.of()).metrics().listen()).isFalse();
    GatewayConfig.MetricsConfig flag = ConfigLoader.load(null, Map.of(), Map.of(Flag.METRICS, "true")).metrics();
    assertThat(flag.listen()).isTrue();
    assertThat(flag.host() + ":" + flag.port()).isEqualTo("127.0.0.1:9090");
    GatewayConfig.MetricsConfig port = ConfigLoader.load(null, Map.of("FAULTLINE_METRICS_PORT", "9191"), Map.of()).metrics();
    assertThat(port.listen()).as("a port alone turns it on").isTrue();
    assertThat(port.port()).isEqualTo(9191);
    assertThat(rejected(null, Map.of(), Map.of(Flag.METRICS_PORT, "99999")).field()).isEqualTo("metrics.port");
  }

  @Test
  void httpErrorsWithoutAProbabilityAreRefused() {
    ChaosConfigException e = rejected(null, Map.of(), Map.of(Flag.CHAOS_HTTP_ERRORS, "503"));
    assertThat(e.getMessage()).contains("--chaos-http-error-probability");
  }

  @Test
  void fileErrorsNameTheFieldOrTheLine() throws IOException {
    assertThat(rejected(file("listeners:\n  - { name: web, port: 3000, upstrem: x }\n"), Map.of(), Map.of()).field())
        .isEqualTo("listeners[0].upstrem");
    assertThat(rejected(file("chaos:\n  fault_injection: { http_errors: [99], http_error_probability: 1 }\n"), Map.of(), Map.of()).field())
        .isEqualTo("chaos.fault_injection.http_errors[0]");
    assertThat(rejected(file("- admin\n- listeners\n"), Map.of(), Map.of()).getMessage()).endsWith("not a list");
    ChaosConfigException clash = rejected(file("listeners: [{ name: web, port: 0, chaos: { latency: { fixed_delay_ms: 5 } } }]\n"
        + "chaos: { rules: [{ name: \"listener:web\", latency: { fixed_delay_ms: 9 } }] }\n"), Map.of(), Map.of());
    assertThat(clash.field()).as("the field as written in the file").isEqualTo("chaos.rules[0].name");
    assertThat(clash.getMessage()).contains("listeners[0].chaos");
    // YAML 1.1 read 010 as 8 (octal) and 1:30 as 90 (base 60): a delay other than the one written, applied silently
    ChaosConfigException octal = rejected(file("chaos: { enabled: true, latency: { fixed_delay_ms: 010 } }\n"), Map.of(), Map.of());
    assertThat(octal.field()).isEqualTo("chaos.latency.fixed_delay_ms");
    // and says why: "must be a whole number, got 010" left a user wondering what is not whole about ten
    assertThat(octal.getMessage()).startsWith("must be a whole number, got 010: a leading zero (octal)").contains("write it in decimal");
    ChaosConfigException sexagesimal = rejected(file("chaos: { enabled: true, latency: { fixed_delay_ms: 1:30 } }\n"), Map.of(), Map.of());
    assertThat(sexagesimal.field()).isEqualTo("chaos.latency.fixed_delay_ms");
    assertThat(sexagesimal.getMessage()).contains("got 1:30: a leading zero (octal), 0b (binary) or a colon (base 60)");
    assertThat(rejected(file("chaos: { enabled: true, latency: { fixed_delay_ms: ten } }\n"), Map.of(), Map.of()).getMessage())
        .as("other text is just named").startsWith("must be a whole number, got ten").doesNotContain("octal");
    // and YAML 1.1's yes/no/on/off are text, as in 1.2: the README's canary header `X-Canary: yes` was matched on "true"
    GatewayConfig canary = ConfigLoader.load(file("""
        chaos:
          enabled: true
          rules: [{ name: canary, match: { headers: { X-Canary: yes } }, fault_injection: { http_errors: [503], http_error_probability: 1.0 } }]
        """), Map.of(), Map.of());
    assertThat(canary.chaos().rules().get(0).match().headers()).containsEntry("X-Canary", "yes");
    // and a date is text, as in 1.2 and JSON: it was a Date, which the header took as its milliseconds ("1669593600000")
    GatewayConfig dated = ConfigLoader.load(file("""
        chaos:
          rules: [{ name: gh, match: { headers: { x-github-api-version: 2022-11-28 } }, latency: { fixed_delay_ms: 5 } }]
        """), Map.of(), Map.of());
    assertThat(dated.chaos().rules().get(0).match().headers()).containsEntry("x-github-api-version", "2022-11-28");
    ChaosConfigException yes = rejected(file("chaos: { enabled: yes }\n"), Map.of(), Map.of());
    assertThat(yes.field()).isEqualTo("chaos.enabled");
    assertThat(yes.getMessage()).contains("yes");
    assertThat(rejected(dir.resolve("absent.yaml"), Map.of(), Map.of()).getMessage()).endsWith("absent.yaml: no such file");
    ChaosConfigException syntax = rejected(file("chaos:\n  enabled: [true\n"), Map.of(), Map.of());
    assertThat(syntax.getMessage()).contains("line");
    assertThat(rejected(file("chaos: { scenario: nope, enabled: true }\n"), Map.of(), Map.of()).field())
        .isEqualTo("chaos.scenario").as("checked when the state applies it");
  }

  @Test
  void jsonFilesAreAcceptedToo() throws IOException {
    GatewayConfig config = ConfigLoader.load(file("{\"admin\": {\"port\": 9200}, \"chaos\": {\"enabled\": true}}"), Map.of(), Map.of());
    assertThat(config.admin().port()).isEqualTo(9200);
    assertThat(config.chaos().enabled()).isTrue();
    // as JSON writers write it: tabs in its white space (jq --tab, Go's MarshalIndent), "\/" in a string (PHP): YAML
    // refuses both ("found character '\t(TAB)' that cannot start any token")
    GatewayConfig written = ConfigLoader.load(file("{\n\t\"admin\": {\n\t\t\"port\": 9201\n\t},\n\t\"listeners\": [{\"name\": \"web\", "
        + "\"port\": 0, \"upstream\": \"http:\\/\\/127.0.0.1:8080\"}]\n}\n"), Map.of(), Map.of());
    assertThat(written.admin().port()).isEqualTo(9201);
    assertThat(written.listeners().get(0).upstream()).isEqualTo("http://127.0.0.1:8080");
    // and JSON that is wrong either way is refused with YAML's line
    assertThat(rejected(file("{\n\t\"admin\": {\"port\": 9201\n}\n"), Map.of(), Map.of()).getMessage()).contains("line ");
  }

  @Test
  void listenerChaosBecomesARuleForThatListener() throws IOException {
    GatewayConfig config = ConfigLoader.load(file("""
        listeners:
          - name: web
            chaos: { latency: { fixed_delay_ms: 50 } }
        """), Map.of(), Map.of());
    assertThat(config.effectiveChaos().rules()).singleElement()
        .satisfies(rule -> assertThat(rule.match().listener()).isEqualTo("web"));
  }

  @Test
  void unknownFilesAreReported() {
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.yaml"), Map.of(), Map.of()))
        .isInstanceOf(ChaosConfigException.class).hasMessageContaining("cannot read");
  }
}
