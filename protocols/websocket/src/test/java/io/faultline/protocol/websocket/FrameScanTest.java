package io.faultline.protocol.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link FrameScan} against frames Netty's own encoder writes (as a client, masked, and as a server): every
 * payload-length form, split at every byte, and the client close frame a tunnel writes read back by Netty's decoder.
 */
class FrameScanTest {

  @Test
  void followsFramesOfEveryLengthFormSplitAtEveryByte() {
    for (boolean masked : new boolean[] {true, false}) {
      List<byte[]> frames = encode(masked, List.of(
          new TextWebSocketFrame(false, 0, "frag"),
          new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(new byte[125])), // 7-bit length
          new PingWebSocketFrame(Unpooled.wrappedBuffer(new byte[3])),
          new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[126])), // 16-bit length
          new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[70_000])), // 64-bit length
          new TextWebSocketFrame(""),
          new CloseWebSocketFrame(4001, "done")));
      byte[] stream = concat(frames);
      int closeStarts = stream.length - frames.get(frames.size() - 1).length;
      List<Integer> ends = frameEnds(frames);
      int closeHeader = masked ? 6 : 2; // a close frame counts as seen once its header has passed
      for (int split = 0; split <= stream.length; split += split < 300 || split > stream.length - 300 ? 1 : 997) {
        FrameScan scan = new FrameScan();
        scan.scan(Buffer.buffer().appendBytes(stream, 0, split));
        assertThat(scan.betweenFrames()).as("masked %s, %d bytes in", masked, split).isEqualTo(ends.contains(split));
        assertThat(scan.closeSeen()).as("masked %s, %d bytes in", masked, split).isEqualTo(split >= closeStarts + closeHeader);
        scan.scan(Buffer.buffer().appendBytes(stream, split, stream.length - split));
        assertThat(scan.betweenFrames()).isTrue();
        assertThat(scan.closeSeen()).isTrue();
      }
    }
  }

  @Test
  void theCloseFrameATunnelWritesIsOneAServerReadsAsSuch() {
    Buffer close = FrameScan.clientClose(1001, "client connection lost");
    EmbeddedChannel server = new EmbeddedChannel(new WebSocket08FrameDecoder(true, false, 65536));
    server.writeInbound(Unpooled.wrappedBuffer(close.getBytes()));
    CloseWebSocketFrame frame = server.readInbound();
    assertThat(frame.statusCode()).isEqualTo(1001);
    assertThat(frame.reasonText()).isEqualTo("client connection lost");
    frame.release();

    FrameScan scan = new FrameScan();
    scan.scan(close);
    assertThat(scan.closeSeen()).isTrue();
    assertThat(scan.betweenFrames()).isTrue();
  }

  private static List<byte[]> encode(boolean masked, List<WebSocketFrame> frames) {
    EmbeddedChannel channel = new EmbeddedChannel(new WebSocket08FrameEncoder(masked));
    List<byte[]> encoded = new ArrayList<>();
    for (WebSocketFrame frame : frames) {
      channel.writeOutbound(frame);
      ByteBuf whole = Unpooled.buffer();
      for (ByteBuf part = channel.readOutbound(); part != null; part = channel.readOutbound()) {
        whole.writeBytes(part);
        part.release();
      }
      byte[] bytes = new byte[whole.readableBytes()];
      whole.readBytes(bytes);
      encoded.add(bytes);
    }
    return encoded;
  }

  private static byte[] concat(List<byte[]> frames) {
    Buffer all = Buffer.buffer();
    frames.forEach(all::appendBytes);
    return all.getBytes();
  }

  private static List<Integer> frameEnds(List<byte[]> frames) {
    List<Integer> ends = new ArrayList<>(List.of(0));
    int at = 0;
    for (byte[] frame : frames) {
      at += frame.length;
      ends.add(at);
    }
    return ends;
  }
}
