package io.faultline.protocol.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.chaos.testing.Upstreams;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each toxic, as a plain TCP client of a real echo server sees it through the tcp listener. Lower bounds
 * are the toxic's own; upper bounds leave {@link #SLACK_MS} for a shared 2-core machine, where a client
 * thread or an event loop can stall for hundreds of milliseconds (seen: a plain first round trip of 500 ms).
 */
class TcpToxicsTest {

  private static final long SLACK_MS = 500;
  /**
   * How much earlier than its delay a wait may be measured: the elapsed time is cut to whole milliseconds,
   * and an event loop's timer can fire a fraction of one early (seen: 399 ms for a 400 ms slow_close in CI).
   */
  private static final long EARLY_MS = 5;

  private static long elapsedMs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private static String toxic(String type, String stream, String attributes) {
    return "\"tcp\": {\"toxics\": [{\"type\": \"" + type + "\", \"stream\": \"" + stream + "\", \"attributes\": " + attributes + "}]}";
  }

  @Test
  void latencyDelaysEachDirectionByItsLatencyWithinItsJitter() throws Exception {
    try (TcpFixture fixture = new TcpFixture("{}"); Socket socket = fixture.connect()) {
      TcpFixture.roundTrip(socket, 10); // the connection is relayed before the toxic comes
      fixture.rule(toxic("latency", "downstream", "{\"latency\": 200, \"jitter\": 20}"));
      for (int i = 0; i < 3; i++) {
        long start = System.nanoTime();
        assertThat(TcpFixture.roundTrip(socket, 100)).isEqualTo(Upstreams.pattern(100));
        assertThat(elapsedMs(start)).isBetween(180L, 220L + SLACK_MS); // 200 ± 20 ms downstream, nothing upstream
      }
      fixture.rule(toxic("latency", "upstream", "{\"latency\": 150}"));
      long start = System.nanoTime();
      TcpFixture.roundTrip(socket, 100);
      assertThat(elapsedMs(start)).as("the downstream toxic is gone, the upstream one holds").isBetween(150L - EARLY_MS, 150L + SLACK_MS);
      assertThat(fixture.events.faults()).containsExactly("latency", "latency");
    }
  }

  /** Toxiproxy's noop toxic lets every byte through as it came (it was refused as no toxic type). */
  @Test
  void aNoopToxicLetsEveryByteThrough() throws Exception {
    try (TcpFixture fixture = new TcpFixture("{}"); Socket socket = fixture.connect()) {
      fixture.rule(toxic("noop", "downstream", "{}"));
      for (int size : new int[] {1, 100, 100_000}) {
        assertThat(TcpFixture.roundTrip(socket, size)).isEqualTo(Upstreams.pattern(size));
      }
    }
  }

  /** Two latency toxics on one direction add up, as Toxiproxy's own test of two latencies has it (500 + 500: 1000 ms). */
  @Test
  void twoLatenciesOnOneDirectionAddUp() throws Exception {
    try (TcpFixture fixture = new TcpFixture("{}"); Socket socket = fixture.connect()) {
      TcpFixture.roundTrip(socket, 10);
      fixture.rule("\"tcp\": {\"toxics\": [{\"name\": \"a\", \"type\": \"latency\", \"stream\": \"downstream\", \"attributes\": {\"latency\": 300}},"
          + " {\"name\": \"b\", \"type\": \"latency\", \"stream\": \"downstream\", \"attributes\": {\"latency\": 300}}]}");
      long start = System.nanoTime();
      assertThat(TcpFixture.roundTrip(socket, 100)).isEqualTo(Upstreams.pattern(100));
      assertThat(elapsedMs(start)).isBetween(600L - EARLY_MS, 600L + SLACK_MS);
    }
  }

  @Test
  void bandwidthHoldsTheRateWithinTenPercent() throws Exception {
    try (TcpFixture fixture = new TcpFixture("{}")) {
      fixture.rule(toxic("bandwidth", "downstream", "{\"rate\": 200}"));
      try (Socket socket = fixture.connect()) {
        int n = 600_000;
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        Thread writer = new Thread(() -> {
          try {
            out.write(Upstreams.pattern(n));
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
        writer.start();
        in.readNBytes(1); // time from the first byte back: the upstream direction and connection setup are not the toxic's
        long start = System.nanoTime();
        byte[] rest = TcpFixture.read(in, n - 1);
        long ms = elapsedMs(start);
        writer.join();
        assertThat(rest).hasSize(n - 1);
        double bytesPerSecond = (n - 1) * 1000.0 / ms;
        // 200 KB/s is 200,000 B/s; 10% either way, as the issue asks (the pacer itself holds 2% over 10 s).
        assertThat(bytesPerSecond).isBetween(180_000.0, 220_000.0);
      }
    }
  }

  /**
   * Raising a bandwidth toxic's rate mid-transfer reaches the bytes the relay already holds, as Toxiproxy's
   * update does: booked at the old rate as they arrived, the 1 MB held here took 50 s more at 20 KB/s.
   */
  @Test
  void aNewBandwidthRateReachesTheBytesAlreadyHeld() throws Exception {
    try (TcpFixture fixture = new TcpFixture("{}")) {
      fixture.rule(toxic("bandwidth", "downstream", "{\"rate\": 20}"));
      try (Socket socket = fixture.connect()) {
        int n = 1_000_000;
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        out.write(Upstreams.pattern(n)); // the echo's answer waits in the relay: 1 MB is under what it holds
        out.flush();
        byte[] first = TcpFixture.read(in, 10_000); // half a second at 20 KB/s
        fixture.rule(toxic("bandwidth", "downstream", "{\"rate\": 10000}"));
        long start = System.nanoTime();
        byte[] rest = TcpFixture.read(in, n - first.length);
        long ms = elapsedMs(start);
        assertThat(first.length + rest.length).isEqualTo(n);
        // at 10 MB/s the rest takes 0.1 s, plus at most one unit (16 KiB) still timed at 20 KB/s: 0.8 s
        assertThat(ms).as("ms for the rest after the rate went up").isLessThan(900 + SLACK_MS);
        assertThat(fixture.events.faults()).as("counted once on the connection, updated or not").containsExactly("bandwidth");
      }
    }
  }

  /**
   * A client that closes or vanishes (a reset) while its connection is cut both ways (a bandwidth of 0, Testcontainers'
   * {@code setConnectionCut(true)}), with nothing of its own held, has its upstream connection closed at once, as
   * Toxiproxy passes the close: both were held until the cut went (a pool reconnecting through an outage piled up
   * connections at its database).
   */
  @ParameterizedTest
  @ValueSource(strings = {"close", "reset"})
  void aClientLeavingACutConnectionClosesItsUpstream(String leaving) throws Exception {
    try (java.net.ServerSocket upstream = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
        TcpFixture fixture = new TcpFixture("{}", null, upstream.getLocalPort())) {
      CompletableFuture<Long> upstreamEnded = new CompletableFuture<>();
      CompletableFuture<Void> accepted = new CompletableFuture<>();
      Thread reader = new Thread(() -> {
        try (Socket peer = upstream.accept()) {
          accepted.complete(null);
          while (peer.getInputStream().read() >= 0) {
            // the client's bytes, if any came
          }
          upstreamEnded.complete(System.nanoTime());
        } catch (IOException e) {
          upstreamEnded.complete(System.nanoTime()); // a reset ends it too
        }
      });
      reader.start();
      fixture.rule("\"tcp\": {\"toxics\": [{\"type\": \"bandwidth\", \"stream\": \"downstream\", \"attributes\": {\"rate\": 0}},"
          + " {\"type\": \"bandwidth\", \"stream\": \"upstream\", \"attributes\": {\"rate\": 0}}]}");
      Socket socket = fixture.connect();
      accepted.get(10, TimeUnit.SECONDS);
      long left = System.nanoTime();
      if (leaving.equals("reset")) {
        socket.setSoLinger(true, 0);
      }
      socket.close();
      long ms = TimeUnit.NANOSECONDS.toMillis(upstreamEnded.get(10, TimeUnit.SECONDS) - left);
      assertThat(ms).as("ms until the upstream's connection ended").isLessThan(2_000);
      fixture.events.await("the connection's end", () -> fixture.events.completions().size() == 1);
      reader.join(5_000);
    }
  }

  /**
   * A toxic added to a direction that has already ended (the client sent its request and its FIN, untouched, and waits
   * for the answer) acts on nothing, as on a Toxiproxy link whose input has closed: a timeout toxic's timer closed the
   * whole connection, cutting the answer still to come the other way.
   */
  @Test
  void aToxicAddedToADirectionThatEndedLeavesTheOtherDirectionAlone() throws Exception {
    try (ServerSocket upstream = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        TcpFixture fixture = new TcpFixture("{}", null, upstream.getLocalPort())) {
      CompletableFuture<Void> finPassed = new CompletableFuture<>();
      Thread answering = new Thread(() -> {
        try (Socket peer = upstream.accept()) {
          peer.getInputStream().readAllBytes(); // to the client's FIN
          finPassed.complete(null);
          Thread.sleep(1_500);
          peer.getOutputStream().write("answer".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } catch (IOException | InterruptedException e) {
          // the test reads what came
        }
      });
      answering.start();
      try (Socket socket = fixture.connect()) {
        socket.getOutputStream().write("question".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        socket.shutdownOutput(); // nc -N: the FIN passes untouched
        finPassed.get(10, TimeUnit.SECONDS); // the direction has ended: then the toxic comes
        fixture.rule(toxic("timeout", "upstream", "{\"timeout\": 300}"));
        assertThat(new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII))
            .as("the answer, 1.5 s after the FIN, the timeout toxic added once the FIN had passed").isEqualTo("answer");
      }
      answering.join(5_000);
    }
  }

  @Test
  void limitDataCutsAtTheExactByteThenClosesTheConnection() throws Exception {
    try (TcpFixture fixture = new TcpFixture("{}")) {
      fixture.rule(toxic("limit_data", "downstream", "{\"bytes\": 1000}"));
      try (Socket socket = fixture.connect()) {
        assertThat(TcpFixture.roundTrip(socket, 5000)).isEqualTo(Upstreams.pattern(1000));
        assertThat(socket.getInputStream().read()).isEqualTo(-1);
      }
      fixture.events.await("the cut connection's end", () -> fixture.events.completions().size() == 1);
      assertThat(fixture.events.completions().get(0).outcome()).isEqualTo("dropped");
      assertThat(fixture.events.faults()).containsExactly("limit_data");
    }
  }

  /**
   * An updated toxic goes on from where it was, as Toxiproxy's UpdateToxic runs it again on the same link: a
   * timeout's new attributes close nothing (every connection under it was closed), and limit_data counts on
   * from the bytes already let through (it started again from 0).
   */
  @Test
  void anUpdatedToxicGoesOnFromWhereItWas() throws Exception {
    try (TcpFixture fixture = new TcpFixture("{}")) {
      fixture.rule(toxic("timeout", "downstream", "{\"timeout\": 0}"));
      try (Socket socket = fixture.connect()) {
        socket.getOutputStream().write(Upstreams.pattern(100));
        fixture.events.await("the connection relayed under the timeout", () -> fixture.events.faults().contains("timeout"));
        Thread.sleep(200); // its echo swallowed
        fixture.rule(toxic("timeout", "downstream", "{\"timeout\": 60000}"));
        socket.setSoTimeout(700);
        assertThatThrownBy(() -> socket.getInputStream().read()).as("still open after the update, and silent")
            .isInstanceOf(java.net.SocketTimeoutException.class);
      }
      fixture.rule(toxic("limit_data", "downstream", "{\"bytes\": 1000}"));
      try (Socket socket = fixture.connect()) {
        assertThat(TcpFixture.roundTrip(socket, 600)).hasSize(600);
        fixture.rule(toxic("limit_data", "downstream", "{\"bytes\": 1500}"));
        socket.setSoTimeout(5_000);
        byte[] rest = TcpFixture.roundTrip(socket, 1200);
        assertThat(rest).as("900 more of the 1,500, counted from the 600 already through").hasSize(900);
        assertThat(socket.getInputStream().read()).isEqualTo(-1);
      }
    }
  }

  @Test
  void timeoutStopsTheDataAndClosesAfterItsTimeoutAndZeroHoldsUntilItIsRemoved() throws Exception {
    try (TcpFixture fixture = new TcpFixture("{}")) {
      fixture.rule(toxic("timeout", "downstream", "{\"timeout\": 300}"));
      try (Socket socket = fixture.connect()) {
        long start = System.nanoTime();
        assertThat(TcpFixture.roundTrip(socket, 100)).as("nothing comes back").isEmpty();
        assertThat(elapsedMs(start)).as("closed 300 ms after the chunk it swallowed").isBetween(300L - EARLY_MS, 300L + SLACK_MS);
      }
      fixture.rule(toxic("timeout", "downstream", "{\"timeout\": 0}"));
      try (Socket socket = fixture.connect()) {
        socket.getOutputStream().write(Upstreams.pattern(100));
        socket.setSoTimeout(500);
        assertThatThrownBy(() -> socket.getInputStream().read()).as("held open, silent").isInstanceOf(java.net.SocketTimeoutException.class);
        socket.setSoTimeout(5_000);
        // another proxy's toxic of the same name (an unnamed toxic is TYPE_STREAM) is not this one
        fixture.state.putRule(io.faultline.chaos.config.ChaosJson.parse("{\"name\": \"listener:cache\", \"match\": {\"listener\": \"cache\"}, "
            + toxic("timeout", "downstream", "{\"timeout\": 0}") + "}", io.faultline.chaos.config.ChaosRule.class, ""));
        fixture.state.removeRule("listener:db");
        assertThat(socket.getInputStream().read()).as("removing the toxic closes the connection, as Toxiproxy's does").isEqualTo(-1);
      }
    }
  }

  @Test
  void resetPeerResetsTheConnectionAfterItsTimeout() throws Exception {
    try (TcpFixture fixture = new TcpFixture("{}")) {
      fixture.rule(toxic("reset_peer", "upstream", "{\"timeout\": 200}"));
      try (Socket socket = fixture.connect()) {
        long start = System.nanoTime();
        socket.getOutputStream().write(Upstreams.pattern(10));
        assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketException.class)
            .hasMessageContaining("Connection reset");
        assertThat(elapsedMs(start)).isBetween(200L - EARLY_MS, 200L + SLACK_MS);
      }
    }
  }

  /**
   * A reset reaches a client that has stopped reading at once, not after what the gateway still held for it: the
   * socket was closed as Vert.x closes one, once its queued writes had gone out, which a client that reads nothing
   * never lets happen (its RST waited for the listener's send_timeout_ms, ten minutes for tcp).
   */
  @Test
  void resetPeerReachesAClientThatStoppedReadingWithoutWhatTheGatewayStillHeld() throws Exception {
    try (ServerSocket upstream = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread flood = new Thread(() -> {
        try (Socket accepted = upstream.accept()) {
          OutputStream out = accepted.getOutputStream();
          byte[] block = new byte[16 * 1024];
          while (true) {
            out.write(block); // blocks once every buffer on the way is full
          }
        } catch (IOException e) {
          // reset with the client's connection
        }
      });
      flood.setDaemon(true);
      flood.start();
      try (TcpFixture fixture = new TcpFixture("{}", null, upstream.getLocalPort()); Socket client = new Socket()) {
        fixture.rule(toxic("reset_peer", "upstream", "{\"timeout\": 500}"));
        client.setReceiveBufferSize(4096);
        client.setSoTimeout(10_000);
        client.connect(new InetSocketAddress("127.0.0.1", fixture.port));
        client.getOutputStream().write(1); // starts the countdown; meanwhile the upstream floods a client that reads nothing
        Thread.sleep(1_500);
        InputStream in = client.getInputStream();
        byte[] buffer = new byte[4096];
        long read = 0;
        try {
          for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            read += n;
          }
          throw new AssertionError("the connection ended without a reset, after " + read + " bytes");
        } catch (SocketException e) {
          assertThat(e).hasMessageContaining("Connection reset");
        }
        assertThat(read).as("bytes read after the reset: only what the client's own socket had taken").isLessThan(32 * 1024);
      }
    }
  }

  /**
   * The kill switch stops a connection's toxics, as an update does, and lets the bytes go on: a reset_peer whose countdown
   * had begun reset the connection all the same, and a timeout toxic closed it (as its removal does, in Toxiproxy).
   */
  @Test
  void theKillSwitchStopsAResetPeersCountdownAndATimeoutsClose() throws Exception {
    for (String toxic : new String[] {toxic("reset_peer", "upstream", "{\"timeout\": 1500}"), toxic("timeout", "upstream", "{\"timeout\": 0}")}) {
      try (TcpFixture fixture = new TcpFixture("{}")) {
        fixture.rule(toxic);
        try (Socket socket = fixture.connect()) {
          socket.getOutputStream().write(Upstreams.pattern(10)); // held, or lost, by the toxic
          Thread.sleep(300);
          fixture.state.enable(false);
          Thread.sleep(1_700); // past the reset's countdown
          assertThat(TcpFixture.roundTrip(socket, 10)).as(toxic).isEqualTo(Upstreams.pattern(10));
        }
      }
    }
  }

  /**
   * A tcp section or a rule switched off ({@code enabled: false}), the listener's own or a general one, stops its toxics
   * as the kill switch does, and the bytes go on: taken for removed toxics, a timeout toxic closed the connection and a
   * reset_peer whose countdown had begun reset it (a general rule's toxics were taken so until now).
   */
  @Test
  void aTcpSectionOrARuleSwitchedOffStopsItsToxicsAsTheKillSwitchDoes() throws Exception {
    String resetPeer = "{\"type\": \"reset_peer\", \"stream\": \"upstream\", \"attributes\": {\"timeout\": 1500}}";
    String timeout = "{\"type\": \"timeout\", \"stream\": \"upstream\", \"attributes\": {\"timeout\": 0}}";
    for (String[] off : new String[][] {{resetPeer, "section"}, {timeout, "rule"}, {timeout, "general rule"}}) {
      try (TcpFixture fixture = new TcpFixture("{}")) {
        String name = off[1].equals("general rule") ? "slow-db" : "listener:db";
        fixture.state.enable(true);
        fixture.state.putRule(io.faultline.chaos.config.ChaosJson.parse("{\"name\": \"" + name + "\", \"match\": {\"listener\": \"db\"},"
            + " \"tcp\": {\"toxics\": [" + off[0] + "]}}", io.faultline.chaos.config.ChaosRule.class, ""));
        try (Socket socket = fixture.connect()) {
          socket.getOutputStream().write(Upstreams.pattern(10)); // held, or lost, by the toxic
          Thread.sleep(300);
          String rule = off[1].equals("section")
              ? "{\"name\": \"listener:db\", \"match\": {\"listener\": \"db\"}, \"tcp\": {\"enabled\": false, \"toxics\": [" + off[0] + "]}}"
              : "{\"name\": \"" + name + "\", \"enabled\": false, \"match\": {\"listener\": \"db\"}, \"tcp\": {\"toxics\": [" + off[0] + "]}}";
          fixture.state.putRule(io.faultline.chaos.config.ChaosJson.parse(rule, io.faultline.chaos.config.ChaosRule.class, ""));
          Thread.sleep(1_700); // past the reset's countdown
          assertThat(TcpFixture.roundTrip(socket, 10)).as(off[1] + ": " + off[0]).isEqualTo(Upstreams.pattern(10));
        }
      }
    }
  }

  /**
   * An update does not stop a reset_peer's countdown under way (Toxiproxy's toxic sleeps it out before it reads its
   * interrupt): the connection is reset when it was due. It was cancelled, and the connection went on untouched.
   */
  @Test
  void anUpdatedResetPeerStillResetsWhenItsCountdownEnds() throws Exception {
    try (TcpFixture fixture = new TcpFixture("{}")) {
      fixture.rule(toxic("reset_peer", "upstream", "{\"timeout\": 800}"));
      try (Socket socket = fixture.connect()) {
        socket.setSoTimeout(3_000);
        long start = System.nanoTime();
        socket.getOutputStream().write(Upstreams.pattern(10)); // the countdown starts
        Thread.sleep(200);
        fixture.rule(toxic("reset_peer", "upstream", "{\"timeout\": 5000}"));
        assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketException.class)
            .hasMessageContaining("Connection reset");
        assertThat(elapsedMs(start)).isBetween(800L - EARLY_MS, 800L + SLACK_MS);
      }
    }
  }

  /**
   * A reset_peer stopped by the kill switch after the client shut its side down lets that end go on, as a close: it
   * swallowed it, and a client waiting for the server's end after its own waited for ever.
   */
  @Test
  void anEndAResetPeerHeldGoesOnWhenTheKillSwitchStopsIt() throws Exception {
    try (TcpFixture fixture = new TcpFixture("{}")) {
      fixture.rule(toxic("reset_peer", "upstream", "{\"timeout\": 60000}"));
      try (Socket socket = fixture.connect()) {
        socket.setSoTimeout(3_000);
        socket.getOutputStream().write(Upstreams.pattern(10));
        socket.shutdownOutput();
        Thread.sleep(300);
        fixture.state.enable(false);
        assertThat(socket.getInputStream().read()).as("the end, not a wait for ever").isEqualTo(-1);
      }
    }
  }

  @Test
  void slowCloseDelaysTheCloseButNotTheBytes() throws Exception {
    try (TcpFixture fixture = new TcpFixture("{}")) {
      fixture.rule(toxic("slow_close", "downstream", "{\"delay\": 400}"));
      try (Socket socket = fixture.connect()) {
        long start = System.nanoTime();
        assertThat(TcpFixture.roundTrip(socket, 100)).isEqualTo(Upstreams.pattern(100));
        assertThat(elapsedMs(start)).as("bytes pass at once").isLessThan(SLACK_MS);
        socket.shutdownOutput(); // the echo server then closes, and the close comes back 400 ms late
        long closing = System.nanoTime();
        assertThat(socket.getInputStream().read()).isEqualTo(-1);
        assertThat(elapsedMs(closing)).isBetween(400L - EARLY_MS, 400L + SLACK_MS);
      }
    }
  }

  /**
   * Each toxic of a direction acts on a chunk when the toxic before it lets the chunk go, as Toxiproxy's chain passes
   * chunks on: a slow_close after a latency delays the close from the delayed data (it closed right after it), and a
   * reset_peer after a latency counts down from when the delayed chunk reaches it (it reset the connection at once).
   */
  @Test
  void aToxicAfterALatencyActsWhenTheLatencyLetsTheChunkGo() throws Exception {
    try (TcpFixture fixture = new TcpFixture("{}")) {
      fixture.rule("\"tcp\": {\"toxics\": [{\"type\": \"latency\", \"stream\": \"downstream\", \"attributes\": {\"latency\": 600}},"
          + " {\"type\": \"slow_close\", \"stream\": \"downstream\", \"attributes\": {\"delay\": 400}}]}");
      try (Socket socket = fixture.connect()) {
        long start = System.nanoTime();
        socket.getOutputStream().write(Upstreams.pattern(100));
        socket.shutdownOutput(); // the echo answers and closes: both come back through the two toxics
        assertThat(TcpFixture.read(socket.getInputStream(), 100)).isEqualTo(Upstreams.pattern(100));
        assertThat(socket.getInputStream().read()).isEqualTo(-1);
        assertThat(elapsedMs(start)).as("the close: 600 ms of latency, then 400 of slow_close").isBetween(1_000L - EARLY_MS, 1_000L + SLACK_MS);
      }
      fixture.rule("\"tcp\": {\"toxics\": [{\"type\": \"latency\", \"stream\": \"downstream\", \"attributes\": {\"latency\": 600}},"
          + " {\"type\": \"reset_peer\", \"stream\": \"downstream\", \"attributes\": {\"timeout\": 0}}]}");
      try (Socket socket = fixture.connect()) {
        socket.setSoTimeout(5_000);
        long start = System.nanoTime();
        socket.getOutputStream().write(Upstreams.pattern(10));
        assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketException.class)
            .hasMessageContaining("Connection reset");
        assertThat(elapsedMs(start)).as("the reset: when the echo leaves the latency").isBetween(600L - EARLY_MS, 600L + SLACK_MS);
      }
    }
  }

  @Test
  void slicerCutsTheBytesIntoSpacedSlicesAroundTheAverageSize() throws Exception {
    try (TcpFixture fixture = new TcpFixture("{\"seed\": 5}")) {
      fixture.rule(toxic("slicer", "downstream", "{\"average_size\": 100, \"size_variation\": 20, \"delay\": 50000}"));
      try (Socket socket = fixture.connect()) {
        socket.getOutputStream().write(Upstreams.pattern(1000));
        InputStream in = socket.getInputStream();
        List<Integer> reads = new ArrayList<>();
        long start = System.nanoTime();
        int total = 0;
        byte[] buffer = new byte[4096];
        while (total < 1000) {
          int r = in.read(buffer);
          reads.add(r);
          total += r;
        }
        // However the echo's reply is chunked, its 1000 bytes are halved until the pieces are within 100 + 20
        // bytes: at least 8 slices, 50 ms apart, so at least 350 ms; a late reader may get two slices at once,
        // but not all of them (without the toxic: one or two reads at once).
        assertThat(total).isEqualTo(1000);
        assertThat(elapsedMs(start)).isGreaterThanOrEqualTo(350L);
        assertThat(reads.size()).isGreaterThanOrEqualTo(4);
      }
    }
  }
}
