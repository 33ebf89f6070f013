package io.faultline.chaos.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A WebSocket upstream written on a plain socket, for the closing handshakes Vert.x's server will not play:
 * Vert.x answers a close frame itself at once, where real services (Node's {@code ws}, Python's
 * {@code websockets}) may still send before they answer, answer by hanging up, or keep their connection open
 * after their close. Each connection runs {@code script} on a thread of its own after the handshake, which takes
 * the first subprotocol offered.
 */
public final class RawWebSocketUpstream implements AutoCloseable {

  /** What a connection's script does once the handshake is done. */
  public interface Script {

    void run(Peer peer) throws Exception;
  }

  /** A frame read from the gateway: its opcode (8: close) and payload, unmasked. */
  public record Frame(int opcode, byte[] payload) {

    /** A close frame's "CODE REASON" ("1005" without a code). */
    public String close() {
      if (payload.length < 2) {
        return "1005";
      }
      return (((payload[0] & 0xff) << 8) | (payload[1] & 0xff)) + " " + new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
    }
  }

  /** What {@link Peer#readToEnd} read: the frames before the first close, that close (null if none came), those after it. */
  public record Ending(List<Frame> before, Frame close, List<Frame> after) {
  }

  /** One accepted connection, after its handshake. */
  public static final class Peer {

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    /** A client's frames are masked (RFC 6455 5.3); a server's are not. */
    private final boolean client;

    /** The server's side of a connection past its handshake. */
    public Peer(Socket socket) throws IOException {
      this(socket, false);
    }

    private Peer(Socket socket, boolean client) throws IOException {
      this.socket = socket;
      this.in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 64 * 1024));
      this.out = socket.getOutputStream();
      this.client = client;
    }

    /**
     * A client's side: opens a connection to {@code port} on loopback and asks for a WebSocket at {@code path} (with
     * {@code subprotocol} unless null), frame by frame, reading what comes as it comes off the wire; throws unless the
     * answer is a 101.
     */
    public static Peer connect(int port, String path, String subprotocol) throws IOException {
      Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
      socket.setSoTimeout(15_000);
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
          + (subprotocol == null ? "" : "Sec-WebSocket-Protocol: " + subprotocol + "\r\n") + "\r\n").getBytes(StandardCharsets.US_ASCII));
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) { // byte by byte: frames may follow at once
        int c = socket.getInputStream().read();
        if (c < 0) {
          break;
        }
        head.write(c);
      }
      if (!head.toString(StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 101")) {
        socket.close();
        throw new IOException("no WebSocket: " + head.toString(StandardCharsets.ISO_8859_1));
      }
      return new Peer(socket, true);
    }

    /** The next frame, or null once the gateway has closed the connection. */
    public Frame read() throws IOException {
      int first = in.read();
      if (first < 0) {
        return null;
      }
      int second = in.readUnsignedByte();
      long length = second & 0x7f;
      if (length == 126) {
        length = in.readUnsignedShort();
      } else if (length == 127) {
        length = in.readLong();
      }
      byte[] mask = new byte[4];
      if ((second & 0x80) != 0) {
        in.readFully(mask);
      }
      byte[] payload = new byte[(int) length];
      in.readFully(payload);
      for (int i = 0; i < payload.length; i++) {
        payload[i] ^= mask[i % 4];
      }
      return new Frame(first & 0x0f, payload);
    }

    /** Reads until a close frame comes (answers it) or the connection ends (null). */
    public Frame readClose() throws IOException {
      for (Frame frame = read(); frame != null; frame = read()) {
        if (frame.opcode() == 8) {
          return frame;
        }
      }
      return null;
    }

    /**
     * Reads until the connection ends, answering the first close frame with one of its own (its peer then closes the
     * connection): what came before that close, the close, and whatever came after it (RFC 6455 5.5.1: nothing should).
     */
    public Ending readToEnd() throws IOException {
      List<Frame> before = new java.util.ArrayList<>();
      List<Frame> after = new java.util.ArrayList<>();
      Frame close = null;
      try {
        for (Frame frame = read(); frame != null; frame = read()) {
          if (close != null) {
            after.add(frame);
          } else if (frame.opcode() == 8) {
            close = frame;
            sendClose(1001, "");
          } else {
            before.add(frame);
          }
        }
      } catch (java.io.EOFException | java.net.SocketException ended) {
        // the connection ended (mid-frame, or reset)
      }
      return new Ending(before, close, after);
    }

    public void sendText(String text) throws IOException {
      send(1, text.getBytes(StandardCharsets.UTF_8));
    }

    public void sendBinary(byte[] payload) throws IOException {
      send(2, payload);
    }

    public void sendClose(int code, String reason) throws IOException {
      byte[] text = reason.getBytes(StandardCharsets.UTF_8);
      byte[] payload = new byte[2 + text.length];
      payload[0] = (byte) (code >> 8);
      payload[1] = (byte) code;
      System.arraycopy(text, 0, payload, 2, text.length);
      send(8, payload);
    }

    /** A close frame without a code (RFC 6455 5.5.1 allows one; the other side reads 1005, "no status received"). */
    public void sendCloseWithoutCode() throws IOException {
      send(8, new byte[0]);
    }

    private void send(int opcode, byte[] payload) throws IOException {
      ByteArrayOutputStream frame = new ByteArrayOutputStream();
      frame.write(0x80 | opcode);
      int masked = client ? 0x80 : 0; // with a key of zeros: the payload as it is
      if (payload.length < 126) {
        frame.write(masked | payload.length);
      } else if (payload.length < 65_536) {
        frame.write(masked | 126);
        frame.write(payload.length >> 8);
        frame.write(payload.length);
      } else {
        frame.write(masked | 127);
        for (int shift = 56; shift >= 0; shift -= 8) {
          frame.write((int) ((long) payload.length >> shift));
        }
      }
      if (client) {
        frame.write(new byte[4]);
      }
      frame.write(payload);
      out.write(frame.toByteArray());
      out.flush();
    }

    public void hangUp() throws IOException {
      socket.close();
    }

    /** The connection's socket (its timeouts, its close). */
    public Socket socket() {
      return socket;
    }
  }

  private final ServerSocket server;
  private final Script script;
  /** What each script noted, in order ("close 4001 bye", "eof", ...). */
  public final List<String> seen = new CopyOnWriteArrayList<>();

  public RawWebSocketUpstream(Script script) throws IOException {
    this.script = script;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "raw-ws-upstream");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Thread connection = new Thread(() -> serve(socket), "raw-ws-connection");
        connection.setDaemon(true);
        connection.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      socket.setSoTimeout(30_000);
      String key = null;
      String subprotocol = null;
      StringBuilder line = new StringBuilder();
      for (int c; (c = socket.getInputStream().read()) >= 0; ) {
        if (c != '\n') {
          line.append((char) c);
          continue;
        }
        String header = line.toString().trim();
        line.setLength(0);
        if (header.isEmpty()) {
          break;
        }
        if (header.toLowerCase().startsWith("sec-websocket-key:")) {
          key = header.substring(header.indexOf(':') + 1).trim();
        } else if (header.toLowerCase().startsWith("sec-websocket-protocol:")) {
          subprotocol = header.substring(header.indexOf(':') + 1).split(",")[0].trim();
        }
      }
      String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
          .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
      socket.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Accept: " + accept + "\r\n" + (subprotocol == null ? "" : "Sec-WebSocket-Protocol: " + subprotocol + "\r\n")
          + "\r\n").getBytes(StandardCharsets.US_ASCII));
      script.run(new Peer(socket));
    } catch (Exception e) {
      seen.add("failed: " + e);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
