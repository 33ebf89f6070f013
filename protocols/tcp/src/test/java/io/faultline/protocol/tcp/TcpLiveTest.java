package io.faultline.protocol.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.chaos.testing.Upstreams;
import java.net.ConnectException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A tcp listener follows the chaos state while it runs: down and up again, and toxicity drawn per connection from the seed. */
class TcpLiveTest {

  @Test
  void aListenerThatGoesDownRefusesConnectionsClosesItsOpenOnesAndComesBackOnItsPort() throws Exception {
    try (TcpFixture fixture = new TcpFixture("{}"); Socket open = fixture.connect()) {
      TcpFixture.roundTrip(open, 10);
      fixture.rule("\"tcp\": {\"down\": true}");
      fixture.module.settled(fixture.deployment).await();
      assertThatThrownBy(() -> new Socket("127.0.0.1", fixture.port)).isInstanceOf(ConnectException.class);
      assertThat(open.getInputStream().read()).as("the open connection was closed").isEqualTo(-1);
      fixture.events.await("the closed connection's end", () -> fixture.events.completions().size() == 1);
      assertThat(fixture.events.faults()).containsExactly("down");
      assertThat(fixture.events.completions().get(0).outcome()).isEqualTo("dropped");

      fixture.rule("\"tcp\": {\"down\": false}");
      fixture.module.settled(fixture.deployment).await();
      try (Socket again = fixture.connect()) {
        assertThat(TcpFixture.roundTrip(again, 1000)).isEqualTo(Upstreams.pattern(1000));
      }
    }
  }

  /**
   * A rule on HTTP methods is no tcp connection's (it has none): with one in force, the listener could not start, every
   * connection hung, and each later chaos change failed with a NullPointerException, half applied.
   */
  @Test
  void aRuleOnMethodsLeavesTcpConnectionsAlone() throws Exception {
    try (TcpFixture fixture = new TcpFixture("""
        {"enabled": true, "rules": [{"name": "writes", "match": {"methods": ["POST"]},
          "fault_injection": {"http_errors": [503], "http_error_probability": 1.0}}]}""");
        Socket socket = fixture.connect()) {
      assertThat(TcpFixture.roundTrip(socket, 100)).isEqualTo(Upstreams.pattern(100));
      fixture.rule("\"tcp\": {\"toxics\": [{\"type\": \"noop\", \"stream\": \"downstream\", \"attributes\": {}}]}");
      assertThat(TcpFixture.roundTrip(socket, 100)).as("after a change").isEqualTo(Upstreams.pattern(100));
    }
  }

  /**
   * A connection's duration, as counted (faultline_request_duration_seconds, the live analytics), is to its upstream
   * connection made, chaos on or off, as a WebSocket's is to its 101: it was the connection's whole life.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"{}", "{\"enabled\": true, \"tcp\": {\"toxics\": [{\"type\": \"noop\", \"stream\": \"downstream\", \"attributes\": {}}]}}"})
  void aConnectionsDurationIsToItsUpstreamConnectionNotItsWholeLife(String chaos) throws Exception {
    try (TcpFixture fixture = new TcpFixture(chaos)) {
      try (Socket open = fixture.connect()) {
        TcpFixture.roundTrip(open, 10);
        Thread.sleep(1_500);
      }
      fixture.events.await("the closed connection's end", () -> fixture.events.completions().size() == 1);
      assertThat(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(fixture.events.completions().get(0).durationNanos()))
          .as("ms counted for a connection open 1.5 s").isLessThan(1_000L);
    }
  }

  /**
   * Going down closes a connection whose client has stopped reading at once, as Toxiproxy's disabled proxy closes its
   * connections: it waited for what the gateway held for that client to go out first (for the listener's send timeout,
   * ten minutes for tcp, or until the client read again).
   */
  @Test
  void aListenerThatGoesDownClosesAConnectionWhoseClientStoppedReadingAtOnce() throws Exception {
    withAClientThatStoppedReading(fixture -> {
      fixture.rule("\"tcp\": {\"down\": true}");
      fixture.module.settled(fixture.deployment).await();
      fixture.events.await("the connection's end within 5 s", () -> fixture.events.completions().size() == 1);
      assertThat(fixture.events.faults()).containsExactly("down");
    });
  }

  /**
   * A listener removed (a Toxiproxy proxy deleted) closes a connection whose client has stopped reading at once, as going
   * down does: it waited for what the gateway held for that client to go out first (the send timeout, ten minutes).
   */
  @Test
  void aListenerRemovedClosesAConnectionWhoseClientStoppedReadingAtOnce() throws Exception {
    withAClientThatStoppedReading(fixture -> {
      for (String id : fixture.vertx.deploymentIDs()) {
        fixture.vertx.undeploy(id).await();
      }
      fixture.events.await("the connection's end within 5 s", () -> fixture.events.completions().size() == 1);
    });
  }

  /**
   * Runs {@code then} on a listener whose one connection has an upstream that writes without end to a client that reads
   * nothing: every buffer on the way full, and more held by the gateway for the client.
   */
  private static void withAClientThatStoppedReading(java.util.function.Consumer<TcpFixture> then) throws Exception {
    try (java.net.ServerSocket upstream = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Thread flood = new Thread(() -> {
        try (Socket accepted = upstream.accept()) {
          byte[] block = new byte[16 * 1024];
          while (true) {
            accepted.getOutputStream().write(block); // blocks once every buffer on the way is full
          }
        } catch (java.io.IOException e) {
          // closed with the client's connection
        }
      });
      flood.setDaemon(true);
      flood.start();
      try (TcpFixture fixture = new TcpFixture("{}", null, upstream.getLocalPort()); Socket client = new Socket()) {
        client.setReceiveBufferSize(4096);
        client.connect(new java.net.InetSocketAddress("127.0.0.1", fixture.port));
        Thread.sleep(500); // the upstream fills every buffer on the way to a client that reads nothing
        then.accept(fixture);
      }
    }
  }

  /** A listener that comes back up while another program holds its port listens once the port is free: it stayed closed for good. */
  @Test
  void aListenerWhosePortWasTakenWhileItWasDownListensOnceThePortIsFree() throws Exception {
    try (TcpFixture fixture = new TcpFixture("{}")) {
      fixture.rule("\"tcp\": {\"down\": true}");
      fixture.module.settled(fixture.deployment).await();
      java.net.ServerSocket squatter = new java.net.ServerSocket();
      squatter.setReuseAddress(true);
      squatter.bind(new java.net.InetSocketAddress("127.0.0.1", fixture.port));
      fixture.rule("\"tcp\": {\"down\": false}");
      fixture.module.settled(fixture.deployment).await();
      squatter.close();
      long deadline = System.currentTimeMillis() + 5_000;
      Socket socket = null;
      while (socket == null && System.currentTimeMillis() < deadline) {
        try {
          socket = fixture.connect();
        } catch (ConnectException refused) {
          Thread.sleep(100);
        }
      }
      assertThat(socket).as("listening again within 5 s of the port's release").isNotNull();
      assertThat(TcpFixture.roundTrip(socket, 10)).isEqualTo(Upstreams.pattern(10));
      socket.close();
    }
  }

  @Test
  void theKillSwitchBringsADownListenerBack() throws Exception {
    try (TcpFixture fixture = new TcpFixture("{}")) {
      fixture.rule("\"tcp\": {\"down\": true}");
      fixture.module.settled(fixture.deployment).await();
      assertThatThrownBy(() -> new Socket("127.0.0.1", fixture.port)).isInstanceOf(ConnectException.class);
      fixture.state.enable(false);
      fixture.module.settled(fixture.deployment).await();
      try (Socket socket = fixture.connect()) {
        assertThat(TcpFixture.roundTrip(socket, 10)).hasSize(10);
      }
    }
  }

  /**
   * The kill switch reaches an open connection's traffic_shaping bandwidth: what is left goes at full speed. It kept the
   * limit for as long as the connection lived (a pooled database connection, for hours), where a toxic's went at once.
   */
  @Test
  void theKillSwitchEndsAnOpenConnectionsBandwidthLimit() throws Exception {
    try (TcpFixture fixture = new TcpFixture("{}")) {
      fixture.rule("\"traffic_shaping\": {\"bandwidth_limit_bps\": 20000}");
      Socket socket = fixture.connect();
      java.util.concurrent.CompletableFuture<byte[]> echoed = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return TcpFixture.roundTrip(socket, 200_000); // 10 s each way at the limit
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      Thread.sleep(1_000);
      long off = System.nanoTime();
      fixture.state.enable(false);
      assertThat(echoed.get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(Upstreams.pattern(200_000));
      assertThat((System.nanoTime() - off) / 1_000_000).as("ms after the kill switch").isLessThan(3_000);
      socket.close();
    }
  }

  /**
   * A toxic is counted once on a connection it acts on, as README says: each update of it, and chaos switched off and on,
   * started it again on every open connection, and counted it again.
   */
  @Test
  void aToxicIsCountedOnceOnAConnectionHoweverOftenItIsUpdated() throws Exception {
    try (TcpFixture fixture = new TcpFixture("{}")) {
      String toxic = "\"tcp\": {\"toxics\": [{\"name\": \"slow\", \"type\": \"latency\", \"attributes\": {\"latency\": 5, \"jitter\": %d}}]}";
      fixture.rule(toxic.formatted(0));
      try (Socket socket = fixture.connect()) {
        assertThat(TcpFixture.roundTrip(socket, 10)).hasSize(10);
        for (int jitter = 1; jitter <= 3; jitter++) {
          fixture.rule(toxic.formatted(jitter));
          fixture.module.settled(fixture.deployment).await();
          assertThat(TcpFixture.roundTrip(socket, 10)).hasSize(10);
        }
        fixture.state.enable(false);
        fixture.state.enable(true);
        assertThat(TcpFixture.roundTrip(socket, 10)).hasSize(10);
      }
      fixture.events.await("the connection's end", () -> fixture.events.completions().size() == 1);
      assertThat(fixture.events.faults()).containsExactly("latency");
    }
  }

  /**
   * The websocket section does not act on a tcp connection, as README's tcp section says: a handshake delay meant for
   * WebSocket upgrades held every database connection, counted as handshake_delay.
   */
  @Test
  void aWebSocketHandshakeDelayLeavesTcpConnectionsAlone() throws Exception {
    try (TcpFixture fixture = new TcpFixture("{}")) {
      fixture.rule("\"websocket\": {\"handshake_delay_ms\": 3000}");
      long start = System.nanoTime();
      try (Socket socket = fixture.connect()) {
        assertThat(TcpFixture.roundTrip(socket, 10)).hasSize(10);
      }
      assertThat((System.nanoTime() - start) / 1_000_000).as("ms for a round trip").isLessThan(2_000);
      fixture.events.await("the connection's end", () -> fixture.events.completions().size() == 1);
      assertThat(fixture.events.faults()).isEmpty();
    }
  }

  /** The kill switch sends a connection a timeout fault holds on to its upstream: the timer of its own closed it at the timeout. */
  @Test
  void theKillSwitchReleasesAConnectionATimeoutHolds() throws Exception {
    try (TcpFixture fixture = new TcpFixture("{}")) {
      fixture.rule("\"fault_injection\": {\"timeout_probability\": 1.0, \"timeout_ms\": 8000}");
      try (Socket socket = fixture.connect()) {
        socket.getOutputStream().write(Upstreams.pattern(10));
        Thread.sleep(500);
        long off = System.nanoTime();
        fixture.state.enable(false);
        assertThat(TcpFixture.read(socket.getInputStream(), 10)).isEqualTo(Upstreams.pattern(10));
        assertThat((System.nanoTime() - off) / 1_000_000).as("ms after the kill switch").isLessThan(3_000);
      }
    }
  }

  @Test
  void toxicityIsDrawnPerConnectionFromTheSeedSoARunReplays() throws Exception {
    List<Boolean> first = delayedConnections(11);
    assertThat(delayedConnections(11)).isEqualTo(first);
    // Seed 11, toxicity 0.5 over 16 connections: drawn, not all or none (which a broken draw would give).
    assertThat(first).contains(true, false);
  }

  /** Which of 16 connections in turn got a toxicity-0.5 latency toxic, as counted; the counted ones were delayed. */
  private static List<Boolean> delayedConnections(long seed) throws Exception {
    try (TcpFixture fixture = new TcpFixture("{\"seed\": " + seed + "}")) {
      fixture.events.recordingEveryExchange(true);
      fixture.rule("\"tcp\": {\"toxics\": [{\"type\": \"latency\", \"toxicity\": 0.5, \"attributes\": {\"latency\": 150}}]}");
      List<Long> elapsed = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        try (Socket socket = fixture.connect()) {
          long start = System.nanoTime();
          TcpFixture.roundTrip(socket, 10);
          elapsed.add((System.nanoTime() - start) / 1_000_000);
        }
        int ended = i + 1;
        fixture.events.await("connection " + ended + " ends", () -> fixture.events.records().size() == ended);
      }
      List<Boolean> delayed = fixture.events.records().stream().map(r -> r.faults() != null && r.faults().contains("latency")).toList();
      for (int i = 0; i < delayed.size(); i++) {
        if (delayed.get(i)) {
          assertThat(elapsed.get(i)).as("connection %d was counted as delayed", i).isGreaterThanOrEqualTo(150L);
        }
      }
      return delayed;
    }
  }
}
