import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;

/**
 * The upstream of the bench's gRPC and WebSocket cases: a plain Vert.x server on 127.0.0.1 that every
 * path (directly, through nginx, through Faultline) reaches. Compiled and started by the cases in
 * grpc.sh and websocket.sh:
 *
 *   java -cp faultline.jar:CLASSES BenchUpstream grpc PORT EVENT_LOOPS MESSAGE_BYTES STREAM_MESSAGES
 *   java -cp faultline.jar:CLASSES BenchUpstream ws PORT EVENT_LOOPS MESSAGE_BYTES
 *
 * gRPC (h2c, raw buffers, no .proto): {@code bench.Bench/Unary} answers with the request's message;
 * {@code bench.Bench/Stream} answers one request with STREAM_MESSAGES messages of MESSAGE_BYTES bytes.
 * WebSocket: {@code /echo} sends every message back as it came; {@code /flood} sends binary messages
 * of MESSAGE_BYTES bytes for as long as the connection is open, as fast as the reader takes them.
 */
public class BenchUpstream {

  public static void main(String[] args) {
    String kind = args[0];
    int port = Integer.parseInt(args[1]);
    int eventLoops = Integer.parseInt(args[2]);
    Buffer message = Buffer.buffer("x".repeat(Integer.parseInt(args[3])));
    int streamMessages = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops));
    vertx.deployVerticle(() -> new VerticleBase() {
          @Override
          public Future<?> start() {
            HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port)
                .setAcceptBacklog(8192).setTcpNoDelay(true));
            if (kind.equals("grpc")) {
              server.requestHandler(GrpcServer.server(vertx).callHandler(call -> grpc(call, message, streamMessages)));
            } else {
              server.webSocketHandler(ws -> webSocket(ws, message));
            }
            return server.listen();
          }
        }, new DeploymentOptions().setInstances(eventLoops))
        .onSuccess(id -> System.err.println("BenchUpstream " + kind + " listening on 127.0.0.1:" + port))
        .onFailure(e -> {
          System.err.println("BenchUpstream " + kind + " could not listen on 127.0.0.1:" + port + ": " + e);
          System.exit(1);
        });
  }

  private static void grpc(GrpcServerRequest<Buffer, Buffer> call, Buffer message, int streamMessages) {
    switch (call.fullMethodName().replaceFirst("^/", "")) {
      case "bench.Bench/Unary" -> call.last().onSuccess(request -> call.response().end(request));
      case "bench.Bench/Stream" -> call.last().onSuccess(request -> {
        for (int i = 1; i < streamMessages; i++) {
          call.response().write(message);
        }
        call.response().end(message);
      });
      default -> call.response().status(GrpcStatus.UNIMPLEMENTED).statusMessage("no such method: " + call.fullMethodName()).end();
    }
  }

  private static void webSocket(ServerWebSocket ws, Buffer message) {
    switch (ws.path()) {
      case "/echo" -> {
        ws.binaryMessageHandler(received -> {
          ws.writeBinaryMessage(received);
          pauseWhileFull(ws);
        });
        ws.textMessageHandler(received -> {
          ws.writeTextMessage(received);
          pauseWhileFull(ws);
        });
      }
      case "/flood" -> flood(ws, message, Vertx.currentContext());
      default -> ws.close((short) 1008, "no such path: " + ws.path());
    }
  }

  /** Reads pause while the echoes cannot be written (back-pressure, as any well-behaved server does). */
  private static void pauseWhileFull(ServerWebSocket ws) {
    if (ws.writeQueueFull()) {
      ws.pause();
      ws.drainHandler(v -> ws.resume());
    }
  }

  /** Writes in bursts of 64 messages, yielding the event loop between bursts, and waits while the queue is full. */
  private static void flood(ServerWebSocket ws, Buffer message, Context context) {
    for (int i = 0; i < 64 && !ws.isClosed() && !ws.writeQueueFull(); i++) {
      ws.writeBinaryMessage(message);
    }
    if (ws.isClosed()) {
      return;
    }
    if (ws.writeQueueFull()) {
      ws.drainHandler(v -> flood(ws, message, context));
    } else {
      context.runOnContext(v -> flood(ws, message, context));
    }
  }
}
