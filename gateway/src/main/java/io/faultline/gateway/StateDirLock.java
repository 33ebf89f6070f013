package io.faultline.gateway;

import io.faultline.chaos.config.ChaosConfigException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A node's hold on its state directory, for as long as it runs. Two nodes on one directory (the default
 * {@code ~/.local/state/faultline} is every {@code faultline serve}'s) destroyed each other's work: the
 * second took the first's running orchestration for one a kill had cut and marked it failed, and each
 * rewrote the saved scenarios from its own memory. The second is refused at start instead, naming the
 * directory. The lock is the operating system's on {@link #FILE}: a node that dies, even by kill -9, lets go of it.
 */
final class StateDirLock {

  static final String FILE = "faultline.lock";

  private final FileChannel channel;

  private StateDirLock(FileChannel channel) {
    this.channel = channel;
  }

  /** Takes {@code stateDir} for this node (null: no state directory, nothing to take). */
  static StateDirLock acquire(String stateDir) {
    if (stateDir == null) {
      return new StateDirLock(null);
    }
    Path file = Path.of(stateDir, FILE);
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new ChaosConfigException("state_dir", "cannot open " + file + ": " + e);
    }
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException | IOException e) {
      lock = null; // held by a node in this same process, or not to be had
    }
    if (lock == null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing was taken
      }
      throw new ChaosConfigException("state_dir", "another Faultline node is using " + stateDir
          + " (it holds " + FILE + "): give each node its own --state-dir (state_dir, FAULTLINE_STATE_DIR)");
    }
    return new StateDirLock(channel);
  }

  /** Lets go of the directory (closing the channel releases the lock). */
  void release() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // the process's end lets go of it anyway
      }
    }
  }
}
