import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The floor under the fixed-rate case: what the JVM and Vert.x, with nothing of Faultline's, do on this
 * machine. One process, one verticle per core (as Faultline's listener), on the same JVM flags as the
 * gateway. On {@code STATIC_PORT} it answers every request with the small body itself (the job of the
 * nginx upstream); on {@code PROXY_PORT} it proxies to {@code UPSTREAM_PORT} with Vert.x's HTTP client
 * (keep-alive pool) and nothing else: the headers as they are, the bodies piped (the job of the nginx
 * proxy and of Faultline). A gap between these and nginx is the platform's; between the proxy and
 * Faultline, Faultline's.
 *
 * <pre>java -cp faultline.jar BareVertx STATIC_PORT PROXY_PORT UPSTREAM_PORT SMALL_BODY_FILE</pre>
 */
public final class BareVertx extends VerticleBase {

  private final int staticPort;
  private final int proxyPort;
  private final int upstreamPort;
  private final Buffer body;
  private HttpClient client;

  private BareVertx(int staticPort, int proxyPort, int upstreamPort, Buffer body) {
    this.staticPort = staticPort;
    this.proxyPort = proxyPort;
    this.upstreamPort = upstreamPort;
    this.body = body;
  }

  public static void main(String[] args) throws Exception {
    int staticPort = Integer.parseInt(args[0]);
    int proxyPort = Integer.parseInt(args[1]);
    int upstreamPort = Integer.parseInt(args[2]);
    Buffer body = Buffer.buffer(Files.readAllBytes(Path.of(args[3])));
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    vertx.deployVerticle(() -> new BareVertx(staticPort, proxyPort, upstreamPort, body),
            new DeploymentOptions().setInstances(Runtime.getRuntime().availableProcessors()))
        .onSuccess(id -> System.out.println("bare Vert.x: static on " + staticPort + ", proxy on " + proxyPort
            + " -> " + upstreamPort + (vertx.isNativeTransportEnabled() ? " (epoll)" : " (nio)")))
        .onFailure(e -> {
          e.printStackTrace();
          System.exit(1);
        });
  }

  @Override
  public Future<?> start() {
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(512));
    Future<?> answering = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(staticPort))
        .requestHandler(request -> request.response().putHeader("Content-Type", "application/json").end(body))
        .listen();
    Future<?> proxying = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(proxyPort))
        .requestHandler(this::proxy)
        .listen();
    return Future.all(answering, proxying);
  }

  private void proxy(HttpServerRequest request) {
    request.pause();
    client.request(new RequestOptions().setMethod(request.method()).setHost("127.0.0.1").setPort(upstreamPort)
            .setURI(request.uri()))
        .compose(out -> {
          out.headers().setAll(request.headers());
          return out.send(request);
        })
        .onSuccess(in -> {
          request.response().setStatusCode(in.statusCode()).headers().setAll(in.headers());
          request.response().send(in);
        })
        .onFailure(e -> request.response().setStatusCode(502).end());
  }
}
