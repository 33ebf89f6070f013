package io.faultline.protocol.websocket;

import static io.faultline.protocol.websocket.WebSocketProxyVerticleTest.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.listener.ConnectionGate;
import io.faultline.chaos.testing.RawWebSocketUpstream;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.EOFException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A peer that reads nothing of what is relayed to it held both connections for ever (the relay paused the other
 * side and waited for a drain that never came). nginx cuts such a connection at its send_timeout (60 s); the
 * listener's {@code send_timeout_ms} does the same, here 1 s: the stuck side's connection is closed, and the other
 * side gets a going-away close saying why. A slow reader that keeps reading is not cut. {@code untouched}: chaos
 * off (frames relayed as they come); {@code shaped}: through the delay line.
 */
@ParameterizedClass
@ValueSource(strings = {"untouched", "shaped"})
class WebSocketSendTimeoutTest {

  private static final String UNLIMITED_BANDWIDTH = "{\"enabled\": true, \"traffic_shaping\": {\"bandwidth_limit_bps\": 1000000000000}}";
  private static final long SEND_TIMEOUT_MS = 1_000;
  /** 16,000 characters: several thousand of them fill every buffer between a peer and the gateway. */
  private static final String CHUNK = "x".repeat(16_000);

  @Parameter
  String mode;

  private WebSocketFixture fixture;
  private RawWebSocketUpstream service;

  @AfterEach
  void close() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
    if (service != null) {
      service.close();
    }
  }

  private WebSocketFixture.Received openThroughGatewayTo(RawWebSocketUpstream.Script script) throws Exception {
    return openThroughGatewayTo(SEND_TIMEOUT_MS, script);
  }

  private WebSocketFixture.Received openThroughGatewayTo(long sendTimeoutMs, RawWebSocketUpstream.Script script) throws Exception {
    int port = gatewayTo(sendTimeoutMs, script);
    return fixture.client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/feed"))
        .map(WebSocketFixture.Received::new).await();
  }

  /** A listener with {@code sendTimeoutMs} in front of {@code script}'s service; answers its port. */
  private int gatewayTo(long sendTimeoutMs, RawWebSocketUpstream.Script script) throws Exception {
    fixture = new WebSocketFixture(mode.equals("shaped") ? UNLIMITED_BANDWIDTH : null);
    service = new RawWebSocketUpstream(script);
    ListenerConfig listener = new ListenerConfig("raw", "websocket", "127.0.0.1", 0, "ws://127.0.0.1:" + service.port(), null,
        5_000L, null, 1, null, null).withSendTimeout(sendTimeoutMs);
    WebSocketProxyVerticle verticle = new WebSocketProxyVerticle(listener, fixture.state, new ConnectionGate(), 0, fixture.events);
    fixture.vertx.deployVerticle(verticle).await();
    return verticle.actualPort();
  }

  @Test
  void aClientThatReadsNothingIsCutAtTheSendTimeout() throws Exception {
    WebSocketFixture.Received received = openThroughGatewayTo(peer -> {
      try {
        for (int i = 0; i < 4_000; i++) { // 64 MB: far more than the sockets' buffers and the relay's queue hold
          peer.sendText(CHUNK);
        }
        RawWebSocketUpstream.Frame close = peer.readClose();
        service.seen.add(close == null ? "eof" : "close " + close.close());
      } catch (IOException cut) {
        // the gateway sent it a going-away close and then, the client being gone, closed its connection: a service
        // still writing gets a broken pipe or a reset
        service.seen.add("cut");
      }
    });
    received.ws.pause(); // reads nothing from here on

    awaitCondition(() -> !service.seen.isEmpty()); // before: the service was stuck in its writes for ever
    assertThat(service.seen).singleElement().isIn("cut", "close 1001 faultline: client is not reading");
    fixture.events.await("the connection's end", () -> !fixture.events.completions().isEmpty());
    assertThat(fixture.events.completions()).singleElement().extracting(c -> c.outcome()).isEqualTo("dropped");
    received.ws.resume(); // what reached it before the cut, then its connection's end without a close frame
    assertThat(received.awaitClose()).startsWith("1006");
    assertThat(received.frames.size()).isBetween(1, 3_999);
  }

  @Test
  void aServiceThatReadsNothingIsCutAtTheSendTimeoutAndTheClientToldWhy() throws Exception {
    WebSocketFixture.Received received = openThroughGatewayTo(peer -> {
      Thread.sleep(2 * SEND_TIMEOUT_MS + 1_000); // reads nothing for a while, then what reached it before the cut
      try {
        while (true) {
          RawWebSocketUpstream.Frame frame = peer.read();
          if (frame == null || frame.opcode() == 8) {
            service.seen.add(frame == null ? "eof" : "close " + frame.close());
            return;
          }
        }
      } catch (EOFException cutInAFrame) {
        service.seen.add("eof");
      }
    });
    Buffer chunk = Buffer.buffer(CHUNK);
    for (int i = 0; i < 2_000; i++) { // 32 MB, queued by the client's Vert.x as the gateway takes them
      received.ws.writeBinaryMessage(chunk);
    }

    assertThat(received.closed.future().await(20, TimeUnit.SECONDS)).isEqualTo("1001 faultline: upstream is not reading");
    awaitCondition(() -> !service.seen.isEmpty());
    assertThat(service.seen).containsExactly("eof"); // the connection closed under it, with no close frame
    fixture.events.await("the connection's end", () -> !fixture.events.completions().isEmpty());
    assertThat(fixture.events.completions()).singleElement().satisfies(c -> {
      assertThat(c.outcome()).isEqualTo("dropped");
    });
  }

  @Test
  void aSlowClientThatKeepsReadingIsNotCut() throws Exception {
    // 16 MB read at about 2.5 MB/s: the relay waits on the client for over 6 s in all, with a drain at least every
    // half second (the kernel wakes a writer once a third of a full send buffer, a few MB, is free). A send timeout
    // counted from the first wait, not from the last drain, would cut it at 3 s.
    int messages = 1_000;
    WebSocketFixture.Received received = openThroughGatewayTo(3_000, peer -> {
      for (int i = 0; i < messages; i++) {
        peer.sendText(CHUNK);
      }
      peer.sendClose(1000, "all sent");
      RawWebSocketUpstream.Frame answer = peer.readClose();
      service.seen.add(answer == null ? "eof" : "answer " + answer.close());
    });
    received.ws.pause();
    long reader = fixture.vertx.setPeriodic(100, id -> received.ws.fetch(16));
    try {
      assertThat(received.closed.future().await(30, TimeUnit.SECONDS)).isEqualTo("1000 all sent");
      awaitCondition(() -> received.frames.size() == messages);
      assertThat(received.texts()).allMatch(CHUNK::equals);
      awaitCondition(() -> !service.seen.isEmpty());
      assertThat(service.seen).containsExactly("answer 1000 all sent");
    } finally {
      fixture.vertx.cancelTimer(reader);
    }
  }

  @Test
  void aSlowReaderOfBigMessagesIsNotCutWhileItReads() throws Exception {
    // Vert.x's drain comes once its queue is down to 8 messages: 8 MB of these, 2 s at the 4 MB/s this client reads,
    // twice the send timeout. Counted from the last bytes the client took, as nginx counts, it is never cut (counted
    // from the first wait, it was cut after 9 MB). Shaped, it also found the delay line's source left paused for ever
    // when the sink filled on the line's last frame: 21 of 30 messages came, with no send timeout at all.
    int messages = 30;
    byte[] megabyte = new byte[1 << 20];
    int port = gatewayTo(SEND_TIMEOUT_MS, peer -> {
      for (int i = 0; i < messages; i++) {
        peer.sendBinary(megabyte);
      }
      peer.sendClose(1000, "all sent");
      RawWebSocketUpstream.Frame answer = peer.readClose();
      service.seen.add(answer == null ? "eof" : "answer " + answer.close());
    });
    List<String> read = new ArrayList<>();
    try (Socket client = new Socket()) {
      client.setReceiveBufferSize(64 * 1024); // its own buffer small: the gateway waits on its reading, not on a kernel's
      client.connect(new InetSocketAddress("127.0.0.1", port));
      client.setSoTimeout(10_000);
      client.getOutputStream().write(("GET /feed HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      java.io.InputStream in = client.getInputStream();
      for (int crlfs = 0, c; crlfs < 4 && (c = in.read()) >= 0; ) { // the 101's head
        crlfs = c == '\r' || c == '\n' ? crlfs + 1 : 0;
      }
      RawWebSocketUpstream.Peer reader = new RawWebSocketUpstream.Peer(client);
      for (RawWebSocketUpstream.Frame frame = reader.read(); frame != null; frame = reader.read()) {
        read.add(frame.opcode() == 8 ? "close " + frame.close() : "binary " + frame.payload().length);
        if (frame.opcode() == 8) {
          break;
        }
        Thread.sleep(250); // 1 MB every 250 ms
      }
    } catch (java.io.IOException cut) { // before: cut mid-message, 2 s into the first wait for a drain
      read.add("cut: " + cut);
    }
    assertThat(read).hasSize(messages + 1).endsWith("close 1000 all sent");
    assertThat(read.subList(0, messages)).allMatch(("binary " + (1 << 20))::equals);
  }
}
