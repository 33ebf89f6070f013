package io.faultline.protocol.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.listener.ConnectionGate;
import io.faultline.chaos.state.ChaosState;
import io.faultline.chaos.testing.RecordingListener;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A client that leaves while its answer is streaming: counted as dropped, the upstream call reset, nothing thrown. */
class GraphQlClientLeavesTest {

  private final Vertx vertx = Vertx.vertx();
  private final List<LogRecord> unhandled = new CopyOnWriteArrayList<>();
  private final Logger contextLog = Logger.getLogger("io.vertx.core.impl.ContextImpl");
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
        unhandled.add(record);
      }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };

  @AfterEach
  void close() {
    contextLog.removeHandler(capture);
    vertx.close().await();
  }

  @Test
  void aClientLeavingMidAnswerIsDroppedAndItsUpstreamCallReset() throws Exception {
    contextLog.addHandler(capture);
    Promise<Void> upstreamCut = Promise.promise();
    // an upstream that streams its answer in chunks, 10 ms apart, for up to 5 s: long after the client left
    HttpServer upstream = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      var response = request.response().setChunked(true).putHeader("content-type", "application/json");
      response.write("{\"data\":{\"hello\":\"");
      response.closeHandler(v -> upstreamCut.tryComplete());
      long[] sent = {0};
      vertx.setPeriodic(10, id -> {
        if (response.closed() || ++sent[0] > 500) {
          vertx.cancelTimer(id);
          if (!response.closed()) {
            response.end("\"}}");
          }
          return;
        }
        response.write("world ");
      });
    })).listen(0, "127.0.0.1").await();
    RecordingListener events = new RecordingListener();
    ListenerConfig listener = new ListenerConfig("gql", "graphql", "127.0.0.1", 0,
        "http://127.0.0.1:" + upstream.actualPort() + "/graphql", null, 10_000L, null, 1, null, null);
    GraphQlProxyVerticle gateway = new GraphQlProxyVerticle(listener, new ChaosState(ChaosConfig.off(), System::nanoTime, 42),
        new ConnectionGate(), 0, events);
    vertx.deployVerticle(gateway).await();

    String body = "{\"query\":\"{ hello }\"}";
    // kept until the end: Vert.x closes a client it finds unreachable, and its sockets with it
    NetClient netClient = vertx.createNetClient();
    NetSocket client = netClient.connect(gateway.actualPort(), "127.0.0.1").await();
    Promise<Void> answering = Promise.promise();
    Buffer received = Buffer.buffer();
    client.handler(chunk -> {
      received.appendBuffer(chunk);
      if (received.toString().contains("world")) {
        answering.tryComplete();
      }
    });
    client.write("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
        + "\r\n\r\n" + body);
    try {
      answering.future().await(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the answer did not start streaming; the client got: " + received, e);
    }
    client.close().await();
    netClient.close().await();

    upstreamCut.future().await(10, TimeUnit.SECONDS); // well before the upstream's 5 s answer ends
    events.await("the exchange counted", () -> !events.completions().isEmpty());
    assertThat(events.completions()).extracting(RecordingListener.Completion::outcome).containsExactly("dropped");
    assertThat(unhandled).as("exceptions Vert.x logged as unhandled").isEmpty();
  }
}
