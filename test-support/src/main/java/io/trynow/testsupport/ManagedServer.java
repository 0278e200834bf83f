package io.trynow.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One real server process on loopback: started on a free port in a temp dir, stopped gracefully,
 * killed with SIGKILL, or restarted on the same port and data dir — what fault tests need.
 */
public abstract class ManagedServer implements AutoCloseable {

  protected final String binary;
  protected final int port;
  protected final Path dir;
  private Process process;

  protected ManagedServer(String binary, int port, String dirPrefix) {
    this.binary = binary;
    this.port = port;
    try {
      this.dir = Files.createTempDirectory(dirPrefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The command line that starts the server in the foreground. */
  protected abstract List<String> command();

  /** True once the server answers its protocol on {@link #port()}. */
  protected abstract boolean answers();

  /** A short name for logs and messages. */
  public abstract String name();

  public int port() {
    return port;
  }

  public Path dir() {
    return dir;
  }

  public Path log() {
    return dir.resolve(name() + ".log");
  }

  public synchronized ManagedServer start() {
    if (isRunning()) {
      return this;
    }
    ProcessBuilder pb = new ProcessBuilder(command()).directory(dir.toFile());
    pb.environment().put("HOME", dir.toString());
    pb.environment().put("XDG_DATA_HOME", dir.resolve("xdg-data").toString());
    pb.environment().put("XDG_CONFIG_HOME", dir.resolve("xdg-config").toString());
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + name() + " (" + binary + ")", e);
    }
    awaitAnswer(Duration.ofSeconds(20));
    return this;
  }

  private void awaitAnswer(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name() + " exited with " + process.exitValue() + "; log: " + tail());
      }
      if (answers()) {
        return;
      }
      sleep(20);
    }
    throw new IllegalStateException(name() + " did not answer within " + timeout + ": " + tail());
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** SIGTERM and wait for exit. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    waitExit();
  }

  /** SIGKILL: no chance to flush or say goodbye. */
  public synchronized void kill() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    waitExit();
  }

  /** Stop (or kill) and start again on the same port with the same data dir. */
  public synchronized void restart(boolean hard) {
    if (hard) {
      kill();
    } else {
      stop();
    }
    start();
  }

  private void waitExit() {
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    kill();
    deleteQuietly(dir.toFile());
  }

  protected String tail() {
    try {
      List<String> lines = Files.readAllLines(log());
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void deleteQuietly(File f) {
    File[] children = f.listFiles();
    if (children != null) {
      for (File c : children) {
        deleteQuietly(c);
      }
    }
    f.delete();
  }
}
