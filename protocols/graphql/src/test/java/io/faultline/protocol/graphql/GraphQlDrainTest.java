package io.faultline.protocol.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.testing.RawWebSocketUpstream.Ending;
import io.faultline.chaos.testing.RawWebSocketUpstream.Frame;
import io.faultline.chaos.testing.RawWebSocketUpstream.Peer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A graphql listener that drains (the gateway shutting down) closes its subscription sockets with 1001, and nothing
 * follows that close frame (RFC 6455 5.5.1), read frame by frame off the wire: a client's library throws away what
 * comes after a close.
 */
class GraphQlDrainTest {

  private GraphQlFixture fixture;

  @AfterEach
  void close() {
    if (fixture != null) {
      fixture.close();
    }
  }

  /**
   * A subscription whose service sends 20,000 events at once to a client that reads nothing for a while; then the
   * listener drains and the client reads on: the going-away close comes after events, and nothing after it.
   */
  @Test
  void aDrainsGoingAwayCloseIsTheLastFrameASubscriberGets() throws Exception {
    fixture = new GraphQlFixture(null);
    Peer client = Peer.connect(fixture.port, "/", "graphql-transport-ws");
    try {
      client.sendText("{\"type\":\"connection_init\"}");
      Frame ack = client.read();
      assertThat(new String(ack.payload(), StandardCharsets.UTF_8)).contains("connection_ack");
      client.sendText("{\"id\":\"1\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription { feed(count: 20000) { id name } }\"}}");
      Frame first = client.read();
      assertThat(new String(first.payload(), StandardCharsets.UTF_8)).contains("\"next\"");
      Thread.sleep(500); // reading nothing: the events pile up in the sockets, and the gateway stops reading the service
      var drained = fixture.verticle.drain(10_000);
      Ending ending = client.readToEnd();
      assertThat(ending.close()).as("a close frame came").isNotNull();
      assertThat(ending.close().close()).isEqualTo("1001 faultline: shutting down");
      assertThat(ending.before()).as("events before the close").isNotEmpty();
      assertThat(ending.after()).as("frames after the close: %d", ending.after().size()).isEmpty();
      drained.await(15, TimeUnit.SECONDS);
    } finally {
      client.hangUp();
    }
  }
}
