package io.faultline.chaos.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.state.ChaosState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the engine decides a tcp connection: toxics and down for tcp only, the sections in force, and watchers. */
class TcpDecisionTest {

  record Connection(String listener, String protocol) implements RequestFacts {
    @Override
    public Shape shape() {
      return Shape.CONNECTION;
    }

    public String route() {
      return null;
    }

    public String method() {
      return null;
    }

    public String path() {
      return null;
    }

    public String host() {
      return null;
    }

    public String header(String name) {
      return null;
    }

    public String clientIp() {
      return "127.0.0.1";
    }
  }

  private static final String DB_RULE = """
      {"enabled": true, "rules": [{"name": "listener:db", "match": {"listener": "db"},
        "tcp": {"toxics": [{"type": "latency", "attributes": {"latency": 50}}]}}]}""";

  private static ChaosSnapshot compile(String json) {
    return ChaosSnapshot.compile(ChaosJson.parse(json, ChaosConfig.class, ""), 1, 7, null, System::nanoTime);
  }

  @Test
  void aTcpConnectionGetsItsToxicsWithASeedAndOtherProtocolsIgnoreThem() {
    ChaosSnapshot snapshot = compile(DB_RULE);
    Verdict tcp = snapshot.decide(new Connection("db", "tcp"));
    assertThat(tcp.messages().toxics()).isNotNull();
    assertThat(tcp.messages().toxics().tcp().toxics()).hasSize(1);
    assertThat(compile(DB_RULE).decide(new Connection("db", "tcp")).messages().toxics().seed())
        .as("the same seed and order give the same draws").isEqualTo(tcp.messages().toxics().seed());
    assertThat(snapshot.decide(new Connection("db", "websocket"))).isSameAs(Verdict.PASS);
    assertThat(snapshot.decide(new Connection("other", "tcp"))).isSameAs(Verdict.PASS);
    assertThat(snapshot.activeFaults()).as("the rule's toxics are in effect").containsExactly("tcp");
  }

  @Test
  void aListenerThatIsDownResetsBeforeAnyLimiterCountsIt() {
    ChaosSnapshot snapshot = compile("""
        {"enabled": true, "rate_limit": {"requests_per_second": 1, "burst_size": 1}, "tcp": {"down": true}}""");
    for (int i = 0; i < 3; i++) {
      Terminal terminal = snapshot.decide(new Connection("db", "tcp")).terminal();
      assertThat(terminal).isEqualTo(new Terminal.Reset("down"));
    }
    assertThat(snapshot.activeFaults()).startsWith("down");
    assertThat(snapshot.decide(new Connection("web", "http")).terminal()).as("http takes the rate limit, not down")
        .isNull();
  }

  @Test
  void theSectionsInForceAreTheMatchingRulesAndNothingWhenChaosIsOff() {
    ChaosSnapshot snapshot = compile(DB_RULE);
    assertThat(snapshot.sectionsFor(new Connection("db", "tcp")).tcp().toxics()).hasSize(1);
    assertThat(snapshot.sectionsFor(new Connection("web", "tcp")).tcp()).isNull();
    assertThat(compile(DB_RULE.replace("\"enabled\": true", "\"enabled\": false")).sectionsFor(new Connection("db", "tcp"))).isNull();
  }

  @Test
  void watchersSeeTheCurrentSnapshotThenEveryOneBeforeTheChangeReturnsUntilTheyStop() {
    ChaosState state = new ChaosState(ChaosConfig.off());
    List<Long> seen = new ArrayList<>();
    Runnable stop = state.watch(snapshot -> seen.add(snapshot.version()));
    assertThat(seen).as("the current snapshot first").containsExactly(1L);
    state.enable(true);
    assertThat(seen).containsExactly(1L, state.version());
    state.setSection("tcp", ChaosJson.parse("{\"down\": true}", io.faultline.chaos.config.TcpConfig.class, "tcp"));
    assertThat(seen).hasSize(3);
    stop.run();
    state.enable(false);
    assertThat(seen).hasSize(3);
  }
}
