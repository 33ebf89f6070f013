import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * The floor of a JVM proxy below Vert.x, for {@code floor.sh}: Netty's HTTP/1 codecs on both sides and
 * nothing else, one event loop per core (epoll). Each client connection gets its own upstream connection on
 * its event loop; decoded messages pass through as they are (the Host header rewritten), flushed at the end
 * of each message. No pool, timeouts, error answers, back-pressure or header rules: a measuring stick, not
 * a proxy to use.
 * <pre>java -cp faultline.jar BareNetty PROXY_PORT UPSTREAM_PORT</pre>
 */
public final class BareNetty {

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int upstreamPort = Integer.parseInt(args[1]);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(), EpollIoHandler.newFactory());
    new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 8192)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), new Frontend(upstreamPort));
          }
        }).bind("127.0.0.1", port).sync();
    System.out.println("bare Netty proxy on " + port + " -> " + upstreamPort);
  }

  /** Writes a decoded message on to {@code to}, flushing at the end of each HTTP message. */
  private static void pass(Object msg, Channel to) {
    if (msg instanceof LastHttpContent) {
      to.writeAndFlush(msg);
    } else {
      to.write(msg);
    }
  }

  private static final class Frontend extends ChannelInboundHandlerAdapter {
    private final int upstreamPort;
    private Channel upstream;

    Frontend(int upstreamPort) {
      this.upstreamPort = upstreamPort;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      Channel client = ctx.channel();
      client.config().setAutoRead(false);
      new Bootstrap().group(client.eventLoop()).channel(EpollSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
          .handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              ch.pipeline().addLast(new HttpClientCodec(), new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext up, Object msg) {
                  pass(msg, client);
                }

                @Override
                public void channelInactive(ChannelHandlerContext up) {
                  client.close();
                }
              });
            }
          }).connect("127.0.0.1", upstreamPort).addListener(f -> {
            if (f.isSuccess()) {
              upstream = ((io.netty.channel.ChannelFuture) f).channel();
              client.config().setAutoRead(true);
            } else {
              client.close();
            }
          });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest request) {
        request.headers().set("Host", "127.0.0.1:" + upstreamPort);
      }
      pass(msg, upstream);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (upstream != null) {
        upstream.close();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ReferenceCountUtil.release(cause);
      ctx.close();
    }
  }
}
