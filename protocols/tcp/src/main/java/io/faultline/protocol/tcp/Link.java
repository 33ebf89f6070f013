package io.faultline.protocol.tcp;

import io.faultline.chaos.config.TcpToxic;
import io.faultline.chaos.engine.ToxicDraws;
import io.faultline.chaos.shaping.Pacer;
import io.faultline.protocol.tcp.toxic.Chunk;
import io.faultline.protocol.tcp.toxic.LinkControl;
import io.faultline.protocol.tcp.toxic.Toxic;
import io.faultline.protocol.tcp.toxic.Toxics;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.WriteStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One direction of a relayed connection, as the write stream its source is piped to. With no toxic it
 * hands each buffer straight to the destination socket (after one volatile read of the chaos state, so a
 * toxic added meanwhile applies), so a connection chaos leaves alone is a plain back-pressured
 * {@code pipeTo}; with toxics each buffer waits in arrival order, runs through them in pieces of at most
 * {@link #UNIT} bytes once what came before it has gone, and is written when due; the source is paused
 * while more than {@link #MAX_HELD} bytes wait (or the destination's own queue is full). Toxics can be
 * swapped while the connection is open ({@link #toxics}): bytes that have not reached them yet go through
 * the new ones (a bandwidth toxic's new rate applies to what is queued, as in Toxiproxy, where the bytes
 * waiting between toxics meet the new one), bytes already timed go at once when a toxic is updated or removed
 * (Toxiproxy's interrupt hands on what a toxic holds) and keep their times when one is only added. One event
 * loop, not thread-safe.
 */
final class Link implements WriteStream<Buffer>, LinkControl {

  /** Bytes held for their due time before the source is paused: about 1 s of 2 MB/s under a latency. */
  static final long MAX_HELD = 2 * 1024 * 1024;
  /**
   * The most bytes timed by the toxics at once: a change of toxics reaches everything after them. At a
   * 10 KB/s bandwidth toxic that is 1.6 s of bytes that keep the old rate; booked as they arrived, all
   * {@link #MAX_HELD} bytes kept it (3.5 minutes at 10 KB/s after the rate was raised).
   */
  static final int UNIT = 16 * 1024;

  /** A toxic running on this link, with the config it was built from. */
  private record Running(TcpToxic config, Toxic toxic) {
  }

  private final Vertx vertx;
  private final Connection connection;
  private final NetSocket destination;
  /** Chunks as they arrived, not yet through the toxics. */
  private final ArrayDeque<Chunk> arrived = new ArrayDeque<>();
  /** What the toxics made of the last unit taken from {@link #arrived}, each with its due time. */
  private final ArrayDeque<Chunk> queue = new ArrayDeque<>();
  private final Set<Long> timers = new HashSet<>();
  private List<Running> toxics = List.of();
  private Toxic pacing;
  private Handler<Void> drainHandler;
  private long held;
  private long lastDue;
  private long timer = -1;
  private long timerDue;
  private boolean ending;
  private boolean done;

  Link(Vertx vertx, Connection connection, NetSocket destination) {
    this.vertx = vertx;
    this.connection = connection;
    this.destination = destination;
    destination.drainHandler(v -> pump());
  }

  /**
   * Paces the direction at {@code bytesPerSecond} besides its toxics (the traffic_shaping section's bandwidth); 0: no more
   * (what waits for its slot goes now, when no toxic holds it).
   */
  void pace(long bytesPerSecond) {
    if (pacing != null) {
      left.remove(pacing); // it takes its time with it
    }
    pacing = bytesPerSecond > 0 ? new io.faultline.protocol.tcp.toxic.BandwidthToxic(bytesPerSecond) : null;
    releaseIfUntouched();
  }

  /**
   * Runs {@code configs} from now on, in that order: toxics it already runs with the same config keep
   * running (and their state), new ones start (each counted), an updated one (same name, new attributes or
   * toxicity) takes over from the one it replaces, and ones no longer listed stop: removed from the proxy when
   * {@code listed} (the names the proxy still has) lacks them, else left out by a new toxicity draw (null: chaos is
   * off, and every one stops as if left out).
   */
  void toxics(List<TcpToxic> configs, java.util.Set<String> listed, ToxicDraws draws) {
    List<Running> next = new ArrayList<>(configs.size());
    java.util.Set<Running> replaced = new java.util.HashSet<>();
    for (TcpToxic config : configs) {
      Running kept = toxics.stream().filter(r -> r.config().equals(config)).findFirst().orElse(null);
      if (kept == null) {
        Running updated = toxics.stream().filter(r -> r.config().name().equals(config.name()) && r.config().type().equals(config.type()))
            .findFirst().orElse(null);
        kept = new Running(config, Toxics.create(config, draws.stream()));
        if (updated != null) {
          kept.toxic().carryFrom(updated.toxic());
          updated.toxic().stopped(this);
          replaced.add(updated);
        }
        kept.toxic().start(this);
        connection.toxicActs(config.name(), config.type());
      }
      next.add(kept);
    }
    List<Running> before = toxics;
    toxics = List.copyOf(next);
    before.stream().filter(old -> !toxics.contains(old)).forEach(old -> left.remove(old.toxic())); // gone, with its time
    boolean interrupted = !replaced.isEmpty();
    for (Running old : before) {
      if (!toxics.contains(old) && !replaced.contains(old) && !done) {
        interrupted = true;
        if (listed == null || listed.contains(old.config().name())) {
          old.toxic().stopped(this);
        } else {
          old.toxic().removed(this);
        }
      }
    }
    if (interrupted) {
      releaseTimed(System.nanoTime());
    }
    releaseIfUntouched();
    if (!done) {
      pump(); // what was released, or a cut held, goes on
    }
  }

  /**
   * A toxic was updated or removed: what it had timed goes on now, as Toxiproxy's interrupt hands a toxic's held
   * chunk on at once (a latency lowered to 0 kept the reply it held for the old 5 s). That is the one unit the toxics
   * timed last (at most {@link #UNIT} bytes); what has not reached them yet meets the new ones.
   */
  private void releaseTimed(long now) {
    queue.forEach(chunk -> chunk.dueBy(now));
    lastDue = Math.min(lastDue, now);
    left.replaceAll((toxic, at) -> Math.min(at, now));
  }

  /** Whether a bandwidth toxic of rate 0 lets nothing of this direction through. */
  private boolean cut() {
    for (Running running : toxics) {
      if (running.toxic() instanceof io.faultline.protocol.tcp.toxic.BandwidthToxic bandwidth && bandwidth.cuts()) {
        return true;
      }
    }
    return false;
  }

  /** Toxiproxy hands on what a removed toxic was holding: nothing waits once no toxic (nor pacing) is left. */
  private void releaseIfUntouched() {
    if (toxics.isEmpty() && pacing == null) {
      long now = System.nanoTime();
      releaseTimed(now);
      lastDue = now; // what has not reached the toxics passes none now, due when it arrived
      flushNow();
    }
  }

  private void flushNow() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    pump();
  }

  private boolean plain() {
    return toxics.isEmpty() && pacing == null && queue.isEmpty() && arrived.isEmpty();
  }

  @Override
  public Future<Void> write(Buffer data) {
    if (Sockets.isEnd(data)) {
      return end();
    }
    connection.follow();
    if (plain()) {
      return destination.write(data);
    }
    arrived.add(Chunk.data(data, System.nanoTime()));
    held += data.length();
    pump();
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> end() {
    if (ending) {
      return Future.succeededFuture(); // the source's FIN came first; its close follows later
    }
    ending = true;
    connection.follow();
    if (plain()) {
      done = true; // as when the end goes through toxics: a toxic added to this direction later has nothing to act on (a
      // timeout's timer closed the whole connection, cutting the answer a half-closed client still waited for)
      connection.ended(this);
      return Future.succeededFuture();
    }
    arrived.add(Chunk.end(System.nanoTime()));
    pump();
    return Future.succeededFuture();
  }

  /**
   * The chunks {@code first} becomes after the pacing and every toxic, in order. Each toxic hands a chunk on no sooner
   * than the one before it ({@link #left}), as each of Toxiproxy's toxics passes chunks on one at a time: so what a later
   * toxic does to a chunk starts when an earlier one let it go (a slow_close after a latency closed right after the
   * delayed data, not its delay later).
   */
  private List<Chunk> through(Chunk first) {
    List<Chunk> chunks = List.of(first);
    List<Toxic> chain = new ArrayList<>(toxics.size() + 1);
    if (pacing != null) {
      chain.add(pacing);
    }
    toxics.forEach(r -> chain.add(r.toxic()));
    for (Toxic toxic : chain) {
      List<Chunk> out = new ArrayList<>(chunks.size());
      for (Chunk chunk : chunks) {
        switch (chunk.kind()) {
          case DATA -> toxic.data(chunk, out);
          case END -> toxic.end(chunk, out);
          case CLOSE -> out.add(chunk);
        }
      }
      long last = left.getOrDefault(toxic, Long.MIN_VALUE);
      for (int i = 0; i < out.size(); i++) {
        Chunk inOrder = out.get(i).notBefore(last);
        out.set(i, inOrder);
        last = inOrder.dueNanos();
      }
      if (!out.isEmpty()) {
        left.put(toxic, last);
      }
      chunks = out;
    }
    return chunks;
  }

  /** When each toxic of the chain last handed a chunk on: the next leaves it no sooner. */
  private final java.util.Map<Toxic, Long> left = new java.util.IdentityHashMap<>();

  /**
   * Runs the next unit of what arrived (at most {@link #UNIT} bytes, or an end) through the toxics into the
   * queue; answers false when nothing is left to run.
   */
  private boolean advance() {
    if (cut() && (arrived.isEmpty() || arrived.peek().kind() != Chunk.Kind.END)) {
      // what arrived waits, ahead of the toxics, for the cut to go (it then meets the toxics left); an end with nothing
      // held before it passes, as Toxiproxy's bandwidth toxic passes a close: a peer that closes or vanishes under a cut
      // (a pool's idle connection it gives up) was held, with its other side, until the cut went
      return false;
    }
    Chunk next = arrived.poll();
    if (next == null) {
      return false;
    }
    if (next.length() > UNIT) {
      arrived.addFirst(next.slice(UNIT, next.length(), next.dueNanos()));
      next = next.slice(0, UNIT, next.dueNanos());
    }
    held -= next.length();
    for (Chunk chunk : through(next)) {
      lastDue = Math.max(lastDue, chunk.dueNanos()); // in order: nothing overtakes what came before it
      queue.add(chunk.notBefore(lastDue));
      held += chunk.length();
    }
    return true;
  }

  /** Hands every due chunk to the destination while it takes them; waits for the next one's time. */
  private void pump() {
    while (!done && (!queue.isEmpty() || advance())) {
      if (queue.isEmpty()) {
        continue; // the toxics kept nothing of that unit (a timeout toxic holds back every byte)
      }
      Chunk head = queue.peek();
      long now = System.nanoTime();
      if (head.dueNanos() > now) {
        schedule(head.dueNanos(), now);
        break;
      }
      if (head.kind() == Chunk.Kind.DATA && destination.writeQueueFull()) {
        break; // the destination's drain handler pumps again
      }
      queue.poll();
      held -= head.length();
      switch (head.kind()) {
        case DATA -> destination.write(head.data());
        case END -> {
          done = true;
          connection.ended(this);
        }
        case CLOSE -> close();
      }
    }
    Handler<Void> drain = drainHandler;
    if (drain != null && !writeQueueFull()) {
      drainHandler = null;
      drain.handle(null);
    }
  }

  private void schedule(long dueNanos, long now) {
    if (timer >= 0 && timerDue <= dueNanos) {
      return;
    }
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    timerDue = dueNanos;
    timer = vertx.setTimer(Math.max(1, Pacer.waitMs(dueNanos - now)), id -> {
      timer = -1;
      pump();
    });
  }

  /** The connection ended: timers stop, nothing more is written. */
  void dispose() {
    done = true;
    queue.clear();
    arrived.clear();
    held = 0;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    timers.forEach(vertx::cancelTimer);
    timers.clear();
  }

  @Override
  public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    return this; // the connection watches both sockets' failures itself
  }

  @Override
  public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
    destination.setWriteQueueMaxSize(maxSize);
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return held >= MAX_HELD || destination.writeQueueFull();
  }

  @Override
  public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
    this.drainHandler = handler;
    return this;
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public long timer(long delayMs, Runnable action) {
    long[] id = new long[1];
    id[0] = vertx.setTimer(Math.max(1, delayMs), t -> {
      timers.remove(id[0]);
      if (!done) {
        action.run();
      }
    });
    timers.add(id[0]);
    return id[0];
  }

  @Override
  public void cancel(long id) {
    timers.remove(id);
    vertx.cancelTimer(id);
  }

  @Override
  public void close() {
    connection.faulted(false);
  }

  @Override
  public void reset() {
    connection.faulted(true);
  }
}
