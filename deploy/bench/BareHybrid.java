import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.ArrayDeque;
import java.util.Map;

/**
 * Half of each: Vert.x's HTTP server (as Faultline's listener, in strict thread mode) in front, Netty's HTTP/1
 * client codec behind, on the same event loop, with a stack of idle keep-alive upstream connections per verticle.
 * Beside {@code BareVertx} (Vert.x on both sides) and {@code BareNetty} (Netty on both), it tells which side of
 * Vert.x's proxy costs what over Netty's. Bodies of GET requests only, no timeouts or errors: a measuring stick.
 *
 * <pre>java -cp faultline.jar BareHybrid PROXY_PORT UPSTREAM_PORT</pre>
 */
public final class BareHybrid extends VerticleBase {

  private final int port;
  private final int upstreamPort;
  private final ArrayDeque<Leg> idle = new ArrayDeque<>();
  private ContextInternal loop;

  private BareHybrid(int port, int upstreamPort) {
    this.port = port;
    this.upstreamPort = upstreamPort;
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int upstreamPort = Integer.parseInt(args[1]);
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    vertx.deployVerticle(() -> new BareHybrid(port, upstreamPort), new DeploymentOptions().setInstances(Runtime.getRuntime().availableProcessors()))
        .onSuccess(id -> System.out.println("bare hybrid (Vert.x server, Netty client) on " + port + " -> " + upstreamPort))
        .onFailure(e -> {
          e.printStackTrace();
          System.exit(1);
        });
  }

  @Override
  public Future<?> start() {
    loop = (ContextInternal) context;
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port).setStrictThreadMode(true))
        .requestHandler(this::proxy)
        .listen();
  }

  private void proxy(HttpServerRequest request) {
    HttpHeaders headers = DefaultHttpHeadersFactory.headersFactory().newHeaders();
    for (Map.Entry<String, String> header : request.headers()) {
      headers.add(header.getKey(), header.getValue());
    }
    headers.set("Host", "127.0.0.1:" + upstreamPort);
    DefaultFullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(request.method().name()),
        request.uri(), Unpooled.EMPTY_BUFFER, headers, DefaultHttpHeadersFactory.trailersFactory().newEmptyHeaders());
    Leg leg = idle.pollLast();
    if (leg != null) {
      leg.send(request.response(), out);
      return;
    }
    request.pause();
    Leg opened = new Leg();
    new Bootstrap().group(loop.nettyEventLoop()).channel(EpollSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new HttpClientCodec(), opened);
          }
        }).connect("127.0.0.1", upstreamPort).addListener(f -> loop.dispatch(() -> {
          if (f.isSuccess()) {
            opened.channel = ((io.netty.channel.ChannelFuture) f).channel();
            opened.send(request.response(), out);
          } else {
            request.response().setStatusCode(502).end();
          }
        }));
  }

  /** One upstream connection: carries one exchange at a time, the answer written to the Vert.x response. */
  private final class Leg extends ChannelInboundHandlerAdapter {
    private Channel channel;
    private HttpServerResponse response;

    void send(HttpServerResponse response, DefaultFullHttpRequest request) {
      this.response = response;
      channel.writeAndFlush(request);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      loop.dispatch(msg, this::handle);
    }

    private void handle(Object msg) {
      if (msg instanceof HttpResponse head) {
        response.setStatusCode(head.status().code());
        io.vertx.core.MultiMap answer = response.headers();
        for (Map.Entry<String, String> header : head.headers()) {
          answer.add(header.getKey(), header.getValue());
        }
      }
      if (msg instanceof HttpContent content) {
        boolean last = msg instanceof LastHttpContent;
        if (content.content().isReadable()) {
          if (last) {
            response.end(BufferInternal.buffer(content.content()));
          } else {
            response.write(BufferInternal.buffer(content.content()));
          }
        } else {
          content.release();
          if (last) {
            response.end();
          }
        }
        if (last) {
          response = null;
          idle.addLast(this);
        }
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      idle.remove(this);
      if (response != null) {
        response.reset();
      }
    }
  }
}
