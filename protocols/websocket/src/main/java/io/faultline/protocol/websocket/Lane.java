package io.faultline.protocol.websocket;

import io.faultline.chaos.config.WebSocketConfig;
import io.faultline.chaos.engine.StreamChaos;
import io.faultline.chaos.fault.MessageFaults;
import io.faultline.chaos.listener.DrainWatch;
import io.faultline.chaos.shaping.Pacer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * One direction of a relayed WebSocket: frames read from {@code source} are written to {@code sink} in
 * the order they arrived. Without chaos a frame is written as soon as it arrives. With chaos each
 * message (all the frames of a fragmented one) gets a {@link StreamChaos.Fate} and frames wait in a
 * delay line until their due time, which never goes backwards, so order holds unless the fate drops
 * or duplicates. Bandwidth (a {@link Pacer}) and message-rate limits push due times out. Back-pressure: the source is
 * paused while the sink's write queue is full or the delay line holds {@link #HIGH_WATER} frames or
 * {@link #HIGH_WATER_BYTES} bytes.
 */
final class Lane {

  /** What a lane reports to its connection. */
  interface Events {

    void faultInjected(String type);

    /** A fault ends the connection: close the client with {@code code} (1006: abruptly). */
    void disconnect(int code, String reason);

    /**
     * The source's close frame has come, after every frame before it; {@code downstream}: from the upstream. Vert.x
     * has answered it already; a peer that keeps its connection open after the answer is the relay's to end.
     */
    void closeFrame(boolean downstream, short code, String reason);

    /** The sink has taken nothing for the send timeout: its peer reads nothing of what is relayed to it. */
    void sinkStalled(boolean downstream);
  }

  static final int HIGH_WATER = 512;
  /** The longest a lane waits before it looks again whether chaos is still on. */
  private static final long RECHECK_MS = 100;
  private static final int LOW_WATER = 64;
  static final long HIGH_WATER_BYTES = 1 << 20;

  private final Vertx vertx;
  private final WebSocketBase source;
  private final WebSocketBase sink;
  private final Following following;
  /** Which way this lane carries messages: downstream (service to client) or upstream. */
  private final boolean downstream;
  /** The message chaos of the message being relayed (null: none). */
  private StreamChaos chaos;
  private final Pacer pacer;
  /** Whether chaos is on: once it is off (the kill switch), messages pass untouched and what waits goes at once. */
  private final BooleanSupplier chaosOn;
  private final Events events;
  // sized for an idle connection (one slot; they grow as chaos holds messages): 16 slots each were 256 bytes a
  // relayed connection, 2.4 MiB of 10,000 idle ones
  private final ArrayDeque<Object> line = new ArrayDeque<>(0);
  private final ArrayDeque<Long> due = new ArrayDeque<>(0);

  private long queuedBytes;
  private long nextFreeNanos;
  private long nextMessageNanos;
  /** The messages_per_second {@link #nextMessageNanos} was booked at. */
  private double limitedRate;
  private long messageDueNanos;
  private StreamChaos.Fate fate = StreamChaos.Fate.PASS;
  private boolean textMessage;
  /**
   * The copies of the message being duplicated, held until its last fragment has come (null: none); a message over
   * {@link #HIGH_WATER_BYTES} is not duplicated, for its copies would be held outside the line's bounds however many
   * fragments it has.
   */
  private List<WebSocketFrame> copies;
  private long copiedBytes;
  private long timer = -1;
  /** How long the sink may drain nothing before it is reported stalled (0: for ever). */
  private final long sendTimeoutMs;
  /** Waits for the sink's drains (made at the first wait: an idle connection's lanes never need one). */
  private DrainWatch sinkDrains;
  private boolean blocked;
  private boolean pausedByLine;
  private boolean sourcePaused;
  private Runnable afterSource;
  private boolean stopped;
  /** A close went to the sink: no frame is written to it any more (RFC 6455 5.5.1); steps queued on the lane still run. */
  private boolean ended;
  /** Sets the handler of the source's frames (the source's own, or its {@link HeldUpstream}'s). */
  private final java.util.function.Consumer<io.vertx.core.Handler<WebSocketFrame>> frames;

  /**
   * {@code following} gives the connection's message chaos as it changes; {@code pacer} is null when it has no bandwidth
   * limit; a sink that takes nothing for {@code sendTimeoutMs} (0: no limit) is reported to {@code events}.
   */
  Lane(Vertx vertx, WebSocketBase source, java.util.function.Consumer<io.vertx.core.Handler<WebSocketFrame>> frames, WebSocketBase sink,
      Following following, boolean downstream, Pacer pacer, BooleanSupplier chaosOn, long sendTimeoutMs, Events events) {
    this.frames = frames;
    this.sendTimeoutMs = sendTimeoutMs;
    this.pacer = pacer;
    this.chaosOn = chaosOn;
    this.vertx = vertx;
    this.source = source;
    this.sink = sink;
    this.following = following;
    this.downstream = downstream;
    this.events = events;
  }

  void start() {
    if (messageChaos() == null && pacer == null) {
      frames.accept(this::relay);
    } else {
      frames.accept(this::delay);
    }
  }

  /** This direction's message chaos now, or null: one volatile read unless the chaos state changed. */
  private StreamChaos messageChaos() {
    StreamChaos now = following.current();
    return now != null && now.affects(downstream) ? now : null;
  }

  /** Runs {@code action} once every frame read before it has been written. */
  void then(Runnable action) {
    if (stopped) {
      return;
    }
    if (line.isEmpty() && !blocked) {
      action.run();
    } else {
      enqueue(action, Math.max(System.nanoTime(), nextFreeNanos));
    }
  }

  /** Runs {@code action} once every frame the source has read has been written: {@link #afterSource}, then {@link #then}. */
  void afterWhatCameBefore(Runnable action) {
    afterSource(() -> then(action));
  }

  /**
   * Runs {@code action} once every frame the source has read has reached this lane: at once, unless this
   * lane holds the source paused. Vert.x reports a socket's close as it happens, while the frames read
   * before it may still wait behind the pause; they come when the source is resumed. Once the lane stops
   * or its sink closes, nothing waits any more: those frames could not be written.
   */
  void afterSource(Runnable action) {
    Runnable before = afterSource;
    afterSource = before == null ? action : () -> {
      before.run();
      action.run();
    };
    runAfterSource();
  }

  /**
   * The sink has closed: its drain will never come. The source is read on (what it sends is dropped), so
   * that its own close is seen, and a close waiting for it goes on now.
   */
  void sinkClosed() {
    if (sinkDrains != null) {
      sinkDrains.stop();
    }
    releaseSource();
    if (blocked) {
      blocked = false; // no drain will come: what waits is let through, and dropped for the closed sink
      drain();
    }
    runAfterSource();
  }

  /** Reads the source on if this lane paused it: once the lane stops or its sink closes, nothing holds it back. */
  private void releaseSource() {
    if (sourcePaused) {
      pausedByLine = false;
      resumeSource();
    }
  }

  /** True once the lane has stopped: nothing more is written, nothing waits. */
  boolean stopped() {
    return stopped;
  }

  /**
   * The sink was sent its close: frames still in the line and those the source sends on are dropped (nothing may follow
   * a close frame), and the source is read on, so its own close is seen; steps waiting on the lane still run.
   */
  void end() {
    ended = true;
    releaseSource();
  }

  /** Drops whatever is still waiting; nothing more is written. */
  void stop() {
    stopped = true;
    if (sinkDrains != null) {
      sinkDrains.stop();
    }
    line.clear();
    due.clear();
    queuedBytes = 0;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    releaseSource();
    runAfterSource();
  }

  private void relay(WebSocketFrame frame) {
    if (closeFrame(frame) || stopped || ended || sink.isClosed()) {
      return;
    }
    if ((frame.type() == WebSocketFrameType.TEXT || frame.type() == WebSocketFrameType.BINARY) && messageChaos() != null) {
      // chaos reached this direction while the connection was open: from this message on, each is decided
      frames.accept(this::delay);
      if (sourcePaused) {
        // paused for a full sink (Vert.x hands on one frame more after a ping or a pong, paused or not): its resume
        // waited for the sink's drain, and the line's own wait for that drain took the one drain handler, so this
        // direction stopped for good; the line resumes it instead, once it runs low
        pausedByLine = true;
      }
      delay(frame);
      return;
    }
    sink.writeFrame(frame);
    if (sink.writeQueueFull()) {
      pauseSource();
      sinkDrains().whenDrained(this::resumeSource);
    }
  }

  private DrainWatch sinkDrains() {
    if (sinkDrains == null) {
      sinkDrains = new DrainWatch(vertx, sink, sendTimeoutMs, () -> events.sinkStalled(downstream));
    }
    return sinkDrains;
  }

  /** Hands a close frame to the connection, which relays it once what waits before it is through; true if it was one. */
  private boolean closeFrame(WebSocketFrame frame) {
    if (frame.type() != WebSocketFrameType.CLOSE) {
      return false;
    }
    if (!stopped) {
      events.closeFrame(downstream, frame.closeStatusCode(), frame.closeReason());
    }
    return true;
  }

  private void pauseSource() {
    sourcePaused = true;
    source.pause();
  }

  private void resumeSource() {
    sourcePaused = false;
    source.resume();
    if (afterSource != null) {
      vertx.runOnContext(v -> runAfterSource()); // after the turn in which the resumed source hands over what it held
    }
  }

  private void runAfterSource() {
    if (afterSource != null && (!sourcePaused || stopped || sink.isClosed())) {
      Runnable action = afterSource;
      afterSource = null;
      action.run();
    }
  }

  private void delay(WebSocketFrame frame) {
    if (closeFrame(frame) || stopped || ended || sink.isClosed()) {
      return; // nothing more can reach a closed sink (nor one a close was sent to: those frames were counted as faults)
    }
    long now = System.nanoTime();
    WebSocketFrameType type = frame.type();
    if (type == WebSocketFrameType.PING || type == WebSocketFrameType.PONG) {
      schedule(frame, Math.max(now, nextFreeNanos));
      return;
    }
    if (type != WebSocketFrameType.CONTINUATION && !startMessage(frame, now)) {
      return;
    }
    if (fate.drop()) {
      if (frame.isFinal() && fate.disconnectAfter()) {
        disconnectAfterWhatWaits();
      }
      return;
    }
    WebSocketFrame out = fate.corrupt() && frame.isFinal() ? Corruption.corrupt(frame, textMessage, chaos.random(downstream)) : frame;
    if (out != frame) {
      events.faultInjected(MessageFaults.CORRUPT); // counted as done: an empty message has nothing to corrupt
    }
    if (copies != null) {
      copiedBytes += out.binaryData().length();
      if (copiedBytes > HIGH_WATER_BYTES) {
        copies = null; // too large to hold a second copy of outside the line's bounds: it passes once
      } else {
        copies.add(copy(out)); // the copy of what was delivered: a corrupted message is duplicated corrupted
      }
    }
    schedule(out, Math.max(messageDueNanos, nextFreeNanos));
    if (frame.isFinal()) {
      if (copies != null) {
        events.faultInjected(MessageFaults.DUPLICATE); // counted once it is done
        for (WebSocketFrame copy : copies) {
          schedule(copy, nextFreeNanos);
        }
        copies = null;
      }
      if (fate.disconnectAfter()) {
        disconnectAfterWhatWaits();
      }
    }
  }

  /**
   * Closes the connection once what waits on this lane is through, as the section in force now says: taken
   * now, for the next message may find chaos changed (off: the field is null by then). Not if chaos went off
   * meanwhile: the kill switch lets what waits go as if chaos had never touched it, and the disconnect is decided again
   * once chaos is back on (told here, not left to the connection seeing chaos off: back on before its next message, it
   * saw the same sections and never did, and no disconnect came again).
   */
  private void disconnectAfterWhatWaits() {
    WebSocketConfig config = chaos.config();
    StreamChaos decided = chaos;
    then(() -> {
      if (chaosOn.getAsBoolean()) {
        events.disconnect(config.closeCode(), config.closeReason());
      } else {
        decided.disconnectUnsaid();
      }
    });
  }

  /** Decides the fate of a new message; false when the connection ends instead. */
  private boolean startMessage(WebSocketFrame first, long now) {
    textMessage = first.type() == WebSocketFrameType.TEXT;
    chaos = chaosOn.getAsBoolean() ? messageChaos() : null;
    fate = chaos == null ? StreamChaos.Fate.PASS : chaos.next(downstream);
    if (fate.disconnect()) {
      events.faultInjected(MessageFaults.DISCONNECT);
      events.disconnect(chaos.config().closeCode(), chaos.config().closeReason());
      return false;
    }
    long start = now;
    boolean limited = false;
    WebSocketConfig config = chaos == null ? null : chaos.config();
    if (config != null && config.messagesPerSecond() != limitedRate) {
      // a new rate starts with a full bucket: what the old one had booked ahead (a slow rate's queue) is not
      // carried into the new one, so a rate raised acts on the next message
      limitedRate = config.messagesPerSecond();
      nextMessageNanos = 0;
    }
    if (config != null && config.enabled() && config.messagesPerSecond() > 0 && !fate.drop()) {
      // a bucket of one second's worth (at least one message), as the HTTP rate limit's burst: nextMessageNanos
      // is when the bucket would be full again; a message fits while that is at most the allowance ahead
      long interval = (long) (1e9 / config.messagesPerSecond());
      // one second's worth rounded up, as the HTTP bucket's (2.5/s: 3 at once; it was 2)
      long allowance = (long) (Math.max(1, Math.ceil(config.messagesPerSecond())) - 1) * interval;
      long full = Math.max(nextMessageNanos, now);
      if (full - now <= allowance) {
        nextMessageNanos = full + interval;
      } else if (config.rateLimitAction().equals("delay")) {
        // held back: counted, as each message the limit drops or closes on (the 250 held of 300 went uncounted)
        events.faultInjected(MessageFaults.RATE_LIMIT);
        start = full - allowance;
        nextMessageNanos = full + interval;
      } else if (config.rateLimitAction().equals("drop")) {
        // counted as the limit's, not also as a message_drop (which counts the drop probability's draws)
        events.faultInjected(MessageFaults.RATE_LIMIT);
        limited = true;
        fate = chaos.dropped(fate); // not delivered: disconnect_after_messages does not count it
      } else {
        events.faultInjected(MessageFaults.RATE_LIMIT);
        events.disconnect(1008, "message rate limit exceeded");
        return false;
      }
    }
    messageDueNanos = start + fate.delayMs() * 1_000_000L;
    report(fate, limited);
    copies = fate.duplicate() ? new ArrayList<>() : null;
    copiedBytes = 0;
    return true;
  }

  /** Counts what {@code f} does; {@code limited}: its drop is the rate limit's, counted as such already. */
  private void report(StreamChaos.Fate f, boolean limited) {
    if (f.drop() && !limited) {
      events.faultInjected(MessageFaults.DROP);
    }
    if (f.delayMs() > 0) {
      events.faultInjected(MessageFaults.LATENCY);
    }
    if (f.disconnectAfter()) {
      events.faultInjected(MessageFaults.DISCONNECT);
    }
  }

  private void schedule(WebSocketFrame frame, long dueNanos) {
    long start = Math.max(dueNanos, nextFreeNanos);
    if (pacer != null) {
      start = pacer.bookWhole(frame.binaryData().length(), start); // delivered when its last byte would be
    }
    nextFreeNanos = Math.max(nextFreeNanos, start);
    enqueue(frame, start);
  }

  private void enqueue(Object item, long dueNanos) {
    line.add(item);
    due.add(dueNanos);
    queuedBytes += size(item);
    // not only while the line has not paused it: a sink's drain (waited on before chaos came) may have resumed the
    // source behind the line's back, and the line then grew without bound
    if ((line.size() >= HIGH_WATER || queuedBytes >= HIGH_WATER_BYTES) && (!pausedByLine || !sourcePaused)) {
      pausedByLine = true;
      pauseSource();
    }
    drain();
  }

  private void drain() {
    if (blocked || timer >= 0 || stopped) {
      return;
    }
    if (!chaosOn.getAsBoolean()) {
      // switched off, what waits goes now (below), and what it had booked ahead goes with it: back on, a new message
      // waited behind the old latency's and rate limit's bookings (200 s behind a 1-a-second limit's queue)
      nextFreeNanos = Math.min(nextFreeNanos, System.nanoTime());
      nextMessageNanos = 0;
    }
    while (!line.isEmpty()) {
      long wait = chaosOn.getAsBoolean() ? due.peek() - System.nanoTime() : 0; // switched off: what waits goes now
      if (wait > 500_000) {
        // looked at again at least every RECHECK_MS, so the kill switch releases a long delay within that
        long waitMs = Math.min(RECHECK_MS, Math.max(1, (wait + 999_999) / 1_000_000));
        timer = vertx.setTimer(waitMs, id -> {
          timer = -1;
          drain();
        });
        return;
      }
      Object item = line.poll();
      due.poll();
      queuedBytes -= size(item);
      if (item instanceof Runnable action) {
        action.run();
        if (stopped) {
          return;
        }
      } else if (!ended && !sink.isClosed()) {
        sink.writeFrame((WebSocketFrame) item);
        if (sink.writeQueueFull()) {
          blocked = true;
          sinkDrains().whenDrained(() -> {
            blocked = false;
            drain();
          });
          return;
        }
      }
      resumeIfLineLow();
    }
    // also here: a sink that filled on the line's last frame drains into an empty line, and the loop above never
    // looks again (the source stayed paused for ever, the rest of its messages with it)
    resumeIfLineLow();
  }

  private void resumeIfLineLow() {
    if (pausedByLine && line.size() <= LOW_WATER && queuedBytes < HIGH_WATER_BYTES / 4) {
      pausedByLine = false;
      resumeSource();
    }
  }

  private static long size(Object item) {
    return item instanceof WebSocketFrame frame ? frame.binaryData().length() : 0;
  }

  private static WebSocketFrame copy(WebSocketFrame frame) {
    return switch (frame.type()) {
      // the bytes as they came: a fragment may end inside a character, which a String would replace with U+FFFD
      case TEXT -> new io.vertx.core.http.impl.ws.WebSocketFrameImpl(WebSocketFrameType.TEXT, frame.binaryData().getBytes(), frame.isFinal());
      case BINARY -> WebSocketFrame.binaryFrame(frame.binaryData().copy(), frame.isFinal());
      default -> WebSocketFrame.continuationFrame(Buffer.buffer(frame.binaryData().getBytes()), frame.isFinal());
    };
  }
}
