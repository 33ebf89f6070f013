package io.faultline.chaos.listener;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.FileRegion;

/**
 * Whether a peer has taken anything of what waits to be written to it, told by Netty's outbound buffer:
 * its first message is another one, or has fewer bytes left (a partial write advances it). A peer that
 * reads slowly moves it, if only a few bytes at a time; one that stopped reading does not. Not the buffer's
 * total: more writes queued behind a peer that reads nothing would move it. Looked at from the channel's
 * event loop only (elsewhere, or with no channel, nothing is known and it never moves).
 */
final class OutboundProgress {

  private Object headSeen;
  private long headLeftSeen;
  /** The channel {@link #lookAfterFlush} looks at, and its two hops. */
  private Channel later;
  private final Runnable look = () -> moved(later);
  private final Runnable afterFlush = () -> later.eventLoop().execute(look);

  /**
   * Remembers {@code channel}'s buffer as it will be once what this turn of its event loop wrote has been flushed,
   * at the start of a wait: looked at now, the buffer is one its flush is about to move ({@link FlushBatching}
   * defers a flush to a task of its own, queued after the write that filled the buffer), which would count as the
   * peer's progress and put the cut a look later. Two hops: the flush's task is queued after the first.
   */
  void lookAfterFlush(Channel channel) {
    later = channel;
    if (channel != null) {
      channel.eventLoop().execute(afterFlush);
    }
  }

  /** Whether {@code channel}'s outbound buffer has moved since last looked at (remembering it as it is now). */
  boolean moved(Channel channel) {
    ChannelOutboundBuffer buffer = channel != null && channel.eventLoop().inEventLoop() ? channel.unsafe().outboundBuffer() : null;
    Object head = buffer == null ? null : buffer.current();
    long headLeft = head instanceof ByteBuf bytes ? bytes.readableBytes() : head instanceof FileRegion region ? -region.transferred() : 0;
    boolean moved = head != headSeen || headLeft != headLeftSeen;
    headSeen = head;
    headLeftSeen = headLeft;
    return moved;
  }

  /** Forgets the buffer last seen (it holds its first message otherwise). */
  void forget() {
    headSeen = null;
  }
}
