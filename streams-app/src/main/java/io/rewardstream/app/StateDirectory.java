package io.rewardstream.app;

import io.rewardstream.config.ConfigValues;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The Kafka Streams state directory this instance holds, locked for as long as the instance runs.
 *
 * <p>Several instances with the same {@code application.id} on one host (the way to scale out on a
 * big machine) cannot share a state directory: Kafka Streams locks it and the second instance dies
 * at start ("Unable to obtain lock"). So when {@code state.dir} is not set, each instance claims
 * the first free {@code instance-<n>} directory under {@link #defaultRoot(String)}; a restarted
 * instance finds its old directory free again and reuses it (and its restored stores). When {@code
 * state.dir} is set and another instance holds it, start-up is refused with a message naming the
 * key, before Kafka Streams starts.
 *
 * <p>The lock is an OS file lock on {@value #LOCK_FILE} in the directory: it is released when the
 * instance closes it or its process dies, even by SIGKILL.
 */
final class StateDirectory implements AutoCloseable {

  static final String LOCK_FILE = ".rewardstream-instance.lock";

  /** More instances than this of one application on one host is a configuration mistake. */
  static final int MAX_INSTANCES = 256;

  private final Path dir;
  private final FileChannel channel;
  private final FileLock lock;

  private StateDirectory(Path dir, FileChannel channel, FileLock lock) {
    this.dir = dir;
    this.channel = channel;
    this.lock = lock;
  }

  /** Where instances claim their directories when {@code state.dir} is not set. */
  static Path defaultRoot(String applicationId) {
    return Path.of(System.getProperty("java.io.tmpdir"), "rewardstream-state", applicationId);
  }

  /** Claims the first free {@code instance-<n>} under the root. */
  static StateDirectory claimFree(Path root) {
    for (int n = 0; n < MAX_INSTANCES; n++) {
      StateDirectory claimed = tryClaim(root.resolve("instance-" + n));
      if (claimed != null) {
        return claimed;
      }
    }
    throw new IllegalStateException(
        MAX_INSTANCES
            + " instances already hold state directories under "
            + root
            + "; set "
            + AppConfig.STATE_DIR
            + " per instance");
  }

  /**
   * Claims exactly this directory (the configured {@code state.dir}).
   *
   * @throws IllegalArgumentException if another instance on this host holds it
   */
  static StateDirectory claimExactly(Path dir) {
    StateDirectory claimed = tryClaim(dir);
    if (claimed == null) {
      throw ConfigValues.invalid(
          AppConfig.STATE_DIR,
          dir,
          "another RewardStream instance on this host is using it; give each instance its own"
              + " state.dir, or leave it unset so that each claims one under "
              + defaultRoot("<application.id>"));
    }
    return claimed;
  }

  private static StateDirectory tryClaim(Path dir) {
    try {
      Files.createDirectories(dir);
      FileChannel channel =
          FileChannel.open(
              dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // held by another instance in this JVM
      }
      if (lock == null) {
        channel.close();
        return null;
      }
      return new StateDirectory(dir, channel, lock);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use state directory " + dir + ": " + e, e);
    }
  }

  /** The claimed directory. */
  Path dir() {
    return dir;
  }

  /** Releases the claim (after Kafka Streams closed). Idempotent. */
  @Override
  public void close() {
    if (!channel.isOpen()) {
      return;
    }
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("releasing the lock of " + dir + " failed", e);
    }
  }
}
