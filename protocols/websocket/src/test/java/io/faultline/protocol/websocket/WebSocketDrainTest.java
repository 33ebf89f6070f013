package io.faultline.protocol.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.testing.RawWebSocketUpstream.Ending;
import io.faultline.chaos.testing.RawWebSocketUpstream.Peer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A listener that drains (the gateway shutting down) closes its WebSockets with 1001, and nothing follows that close
 * frame (RFC 6455 5.5.1), read frame by frame as it comes over the wire: a client's WebSocket library throws away what
 * comes after a close, so its user would only see messages lost.
 */
class WebSocketDrainTest {

  private WebSocketFixture fixture;

  @AfterEach
  void close() {
    if (fixture != null) {
      fixture.close();
    }
  }

  /**
   * An upstream that floods a client which reads nothing for a while, so that frames wait in the gateway behind its
   * paused read of the upstream, and in the sockets; then the listener drains and the client reads on. It gets the
   * going-away close, and no data frame after it (before, the frames the gateway read on after sending its close were
   * written after it: 16 of them in the first run).
   */
  @Test
  void aDrainsGoingAwayCloseIsTheLastFrameTheClientGets() throws Exception {
    fixture = new WebSocketFixture(null);
    Peer client = Peer.connect(fixture.port, "/flood", null);
    try {
      long deadline = System.currentTimeMillis() + 10_000;
      while (!fixture.floodBlocked && System.currentTimeMillis() < deadline) {
        Thread.sleep(20); // the client reads nothing: back-pressure reaches the upstream
      }
      assertThat(fixture.floodBlocked).as("the upstream waits for the gateway").isTrue();
      var drained = fixture.verticle.drain(10_000);
      Ending ending = client.readToEnd();
      assertThat(ending.close()).as("a close frame came").isNotNull();
      assertThat(ending.close().close()).isEqualTo("1001 faultline: shutting down");
      assertThat(ending.before()).as("data frames before the close").isNotEmpty();
      assertThat(ending.after()).as("frames after the close").isEmpty();
      drained.await(15, java.util.concurrent.TimeUnit.SECONDS);
      fixture.events.await("the upstream told", () -> !fixture.upstreamCloses.isEmpty());
      assertThat(fixture.upstreamCloses).containsExactly("1001 faultline: shutting down");
    } finally {
      client.hangUp();
    }
  }
}
