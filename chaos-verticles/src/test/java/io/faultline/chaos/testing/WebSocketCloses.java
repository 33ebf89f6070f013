package io.faultline.chaos.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * What a WebSocket client sees of a server that closes right after its handshake, and the JDK's client
 * for tests that need one (it can abort a connection, or leave what arrives unread).
 *
 * <p>This uses the JDK's client on purpose. Vert.x's client fails its handshake with "Connection
 * closed while handshake in process" when the 101, the close frame and the end of the connection
 * arrive in one read, so it cannot tell whether a proxy passed such a close on. The JDK's client
 * reads the bytes that follow the 101 as frames, as RFC 6455 says a client must.
 */
public final class WebSocketCloses {

  /** One client for every call: each JDK client keeps a selector thread until it is collected. */
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private WebSocketCloses() {
  }

  /** Opens {@code uri} with the JDK's client; {@code listener} hears what arrives (and asks for it: the JDK's reads nothing unasked). */
  public static WebSocket open(URI uri, WebSocket.Listener listener, Duration within) throws Exception {
    return CLIENT.newWebSocketBuilder().connectTimeout(within).buildAsync(uri, listener).get(within.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * A JDK client's listener that keeps what it hears: each text message whole, and "CODE REASON" of the close. It reads
   * as messages come, or, made with {@code reading} false, nothing until the test asks ({@code socket.request(1)}).
   */
  public static final class Heard implements WebSocket.Listener {

    public final java.util.List<String> texts = new java.util.concurrent.CopyOnWriteArrayList<>();
    public final CompletableFuture<String> closed = new CompletableFuture<>();
    private final boolean reading;
    private final StringBuilder partial = new StringBuilder();

    public Heard(boolean reading) {
      this.reading = reading;
    }

    @Override
    public void onOpen(WebSocket socket) {
      if (reading) {
        socket.request(1);
      }
    }

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      partial.append(data); // the JDK's client may hand a message over in parts
      if (last) {
        texts.add(partial.toString());
        partial.setLength(0);
      }
      socket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
      closed.complete(statusCode + " " + reason);
      return null;
    }

    @Override
    public void onError(WebSocket socket, Throwable error) {
      closed.completeExceptionally(error);
    }
  }

  /** Opens {@code uri} (offering {@code subprotocol} if not null) and answers "CODE REASON" of the close it receives. */
  public static String closeSeen(URI uri, String subprotocol, Duration within) throws Exception {
    CompletableFuture<String> closed = new CompletableFuture<>();
    WebSocket.Listener listener = new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode + " " + reason);
        return null;
      }

      @Override
      public void onError(WebSocket webSocket, Throwable error) {
        closed.completeExceptionally(error);
      }
    };
    WebSocket.Builder builder = CLIENT.newWebSocketBuilder().connectTimeout(within);
    if (subprotocol != null) {
      builder.subprotocols(subprotocol);
    }
    WebSocket socket = builder.buildAsync(uri, listener).get(within.toMillis(), TimeUnit.MILLISECONDS);
    try {
      return closed.get(within.toMillis(), TimeUnit.MILLISECONDS);
    } finally {
      socket.abort();
    }
  }
}
