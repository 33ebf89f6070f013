package io.faultline.protocol.websocket;

import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.testing.RecordingListener;
import io.faultline.chaos.listener.AbruptClose;
import io.faultline.chaos.listener.ConnectionGate;
import io.faultline.chaos.state.ChaosState;
import io.faultline.chaos.testing.Upstreams;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real WebSocket upstream, a real {@link WebSocketProxyVerticle} in front of it and a real WebSocket
 * client, all on loopback.
 *
 * <p>The upstream serves: {@code /echo} (every data frame sent back as it came, fragments included),
 * {@code /push?n=N} (sends {@code msg-1} .. {@code msg-N}, then waits), {@code /headers} (answers the
 * handshake with a cookie and an {@code X-Upstream} header, and sends the handshake headers it got as JSON), {@code /close} (closes with 4002 "done" after the first message),
 * {@code /drop} (closes its TCP connection after the first message), {@code /flood} (writes 64 KiB
 * binary frames as fast as back-pressure lets it, counting bytes in {@link #flooded}), and rejects
 * {@code /reject} with 403; {@code /burst} sends {@link #BURST_MESSAGES} binary messages at once, then
 * closes with 4003 "burst done" and hangs up {@link #BURST_HANG_UP_SECONDS} later. It records what it saw in {@link #upstreamFrames} and {@link #upstreamCloses}.
 */
final class WebSocketFixture implements AutoCloseable {

  /** {@code /burst} sends this many binary messages of {@link #BURST_MESSAGE_BYTES}, each starting with its index. */
  static final int BURST_MESSAGES = 128;
  static final int BURST_MESSAGE_BYTES = 64 * 1024;
  /** How long the upstream waits for a client's close frame before it hangs up. */
  static final int BURST_HANG_UP_SECONDS = 1;

  /** {@code /big-head}'s 101 carries it in {@code X-Big}: 12,000 bytes. */
  static final String BIG_HEADER_VALUE = "b".repeat(12_000);

  final Vertx vertx = Vertx.vertx();
  final HttpServer upstream;
  final ChaosState state;
  final RecordingListener events = new RecordingListener();
  final WebSocketProxyVerticle verticle;
  final int port;
  final WebSocketClient client;
  final List<WebSocketFrame> upstreamFrames = new CopyOnWriteArrayList<>();
  final List<String> upstreamCloses = new CopyOnWriteArrayList<>();
  final AtomicLong flooded = new AtomicLong();
  /** True while {@code /flood} waits for its write queue to drain: back-pressure has reached the upstream. */
  volatile boolean floodBlocked;

  WebSocketFixture(String chaosJson) {
    this(chaosJson, false);
  }

  /** With {@code tls}, the upstream is wss:// with a self-signed certificate, which the listener is told to trust. */
  WebSocketFixture(String chaosJson, boolean tls) {
    HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(Upstreams.portToListenOn())
        .setWebSocketSubProtocols(List.of("chat.v2", "chat.v1"))
        .setWebSocketClosingTimeout(BURST_HANG_UP_SECONDS); // after its close frame, it waits this long for the client's
    if (tls) {
      options.setSsl(true).setKeyCertOptions(SelfSignedCertificate.create("127.0.0.1").keyCertOptions());
    }
    upstream = vertx.createHttpServer(options)
        .requestHandler(request -> {
          if (request.path().equals("/reject")) {
            request.response().setStatusCode(403).putHeader("X-Upstream", "yes").end("forbidden by upstream");
          } else {
            if (request.path().equals("/headers")) { // headers of its own in the 101
              request.response().headers().add("Set-Cookie", "session=abc; Path=/").add("X-Upstream", "yes");
            } else if (request.path().equals("/big-head")) { // a 101 over Netty's default 8 KiB of headers
              request.response().headers().add("X-Big", BIG_HEADER_VALUE);
            }
            request.toWebSocket().onSuccess(ws -> serve(ws, request.connection()));
          }
        });
    upstream.listen().await();
    state = new ChaosState(chaos(chaosJson), System::nanoTime, 42);
    ListenerConfig listener = new ListenerConfig("live", "websocket", "127.0.0.1", 0,
        (tls ? "wss" : "ws") + "://127.0.0.1:" + upstream.actualPort(), null, 2_000L, null, 1, null, tls);
    verticle = new WebSocketProxyVerticle(listener, state, new ConnectionGate(), 0, events);
    vertx.deployVerticle(verticle).await();
    port = verticle.actualPort();
    client = vertx.createWebSocketClient();
  }

  static ChaosConfig chaos(String json) {
    return json == null ? ChaosConfig.off() : ChaosJson.parse(json, ChaosConfig.class, "");
  }

  private void serve(ServerWebSocket ws, HttpConnection connection) {
    ws.closeHandler(v -> upstreamCloses.add(ws.closeStatusCode() + " " + ws.closeReason()));
    ws.frameHandler(frame -> {
      upstreamFrames.add(frame);
      switch (ws.path()) {
        case "/echo" -> echo(ws, frame);
        case "/close" -> ws.close((short) 4002, "done");
        case "/drop" -> AbruptClose.close(connection);
        default -> { }
      }
    });
    switch (ws.path()) {
      case "/push" -> {
        int n = Integer.parseInt(ws.query().substring(2));
        for (int i = 1; i <= n; i++) {
          ws.writeTextMessage("msg-" + i);
        }
      }
      case "/headers" -> {
        JsonObject headers = new JsonObject();
        ws.headers().forEach(h -> headers.put(h.getKey().toLowerCase(), h.getValue()));
        ws.writeTextMessage(headers.put("subprotocol", ws.subProtocol()).encode());
      }
      case "/flood" -> flood(ws);
      case "/bye" -> ws.close((short) 4001, "bye"); // right after accepting, before the gateway relays
      case "/said" -> { // a message or two and a close, right after accepting (a refused login's way)
        ws.writeTextMessage("hello");
        ws.writeTextMessage("sorry");
        ws.close((short) 4002, "said");
      }
      case "/burst" -> {
        for (int i = 0; i < BURST_MESSAGES; i++) {
          ws.writeBinaryMessage(Buffer.buffer(new byte[BURST_MESSAGE_BYTES]).setInt(0, i));
        }
        ws.close((short) 4003, "burst done");
      }
      default -> { }
    }
  }

  private static void echo(ServerWebSocket ws, WebSocketFrame frame) {
    switch (frame.type()) {
      case TEXT -> ws.writeFrame(new io.vertx.core.http.impl.ws.WebSocketFrameImpl(WebSocketFrameType.TEXT, frame.binaryData().getBytes(),
          frame.isFinal())); // its bytes: a fragment may end inside a character
      case BINARY -> ws.writeFrame(WebSocketFrame.binaryFrame(frame.binaryData().copy(), frame.isFinal()));
      case CONTINUATION -> ws.writeFrame(WebSocketFrame.continuationFrame(frame.binaryData().copy(), frame.isFinal()));
      default -> { }
    }
  }

  private void flood(ServerWebSocket ws) {
    Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
    while (!ws.isClosed() && !ws.writeQueueFull()) {
      ws.writeBinaryMessage(chunk);
      flooded.addAndGet(chunk.length());
    }
    if (!ws.isClosed()) {
      floodBlocked = true;
      ws.drainHandler(v -> {
        floodBlocked = false;
        flood(ws);
      });
    }
  }

  WebSocket connect(String uri) {
    return client.connect(port, "127.0.0.1", uri).await();
  }

  /** Connects and starts collecting on the event loop, before a first frame can slip past. */
  Received open(String uri) {
    return open(new WebSocketConnectOptions().setURI(uri));
  }

  /**
   * Connects from an event loop, so the handlers are set as the connection opens. From this thread, a handshake that
   * completed before {@code map} was called ran it after Vert.x had resumed the socket, and what came with the 101 was
   * lost (2 of 1,000 connections of a loop, under load).
   */
  Received open(WebSocketConnectOptions options) {
    Promise<Received> opened = Promise.promise();
    vertx.runOnContext(v -> tryConnect(options).map(Received::new).onComplete(opened));
    return opened.future().await();
  }

  Future<WebSocket> tryConnect(WebSocketConnectOptions options) {
    return client.connect(options.setHost("127.0.0.1").setPort(port));
  }

  /** Collects what a client receives: data frames, close code and reason, and when each arrived. */
  static final class Received {

    final List<WebSocketFrame> frames = new CopyOnWriteArrayList<>();
    final List<Long> arrivals = new CopyOnWriteArrayList<>();
    final Promise<String> closed = Promise.promise();
    final long started = System.nanoTime();
    final WebSocket ws;

    Received(WebSocket ws) {
      this.ws = ws;
      ws.frameHandler(frame -> {
        if (frame.type() != WebSocketFrameType.CLOSE) {
          frames.add(frame);
          arrivals.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        }
      });
      ws.closeHandler(v -> closed.tryComplete(ws.closeStatusCode() + " " + ws.closeReason()));
    }

    /** When frame {@code i} arrived, in {@link System#nanoTime()} terms. */
    long startedAt(int i) {
      return started + arrivals.get(i) * 1_000_000;
    }

    List<String> texts() {
      List<String> texts = new ArrayList<>();
      for (WebSocketFrame frame : frames) {
        if (frame.type() == WebSocketFrameType.TEXT) {
          texts.add(frame.textData());
        }
      }
      return texts;
    }

    /** Waits until {@code n} data frames arrived (or the timeout passed), then answers them as text. */
    List<String> awaitTexts(int n, long timeoutMs) throws InterruptedException {
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (frames.size() < n && System.currentTimeMillis() < deadline && !closed.future().isComplete()) {
        Thread.sleep(10);
      }
      return texts();
    }

    String awaitClose() throws Exception {
      return closed.future().await(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
