package io.trynow.testsupport;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A private second Docker engine: its own {@code dockerd} with its own data root, exec root (and so
 * its own containerd), pidfile, unix socket and containerd namespaces, no bridge, no iptables —
 * what a second Docker host is on this one machine. It never touches the machine's own engine:
 * images are copied in with {@code docker save | docker -H <this> load}, and the daemon is stopped
 * by its pidfile.
 *
 * <p>Extra daemon arguments go through {@link #DockerDaemon(String, List)}; {@link #host()} stays
 * the unix socket, which the harness itself uses. {@link #withTls(String, TlsFiles)} adds what a
 * remote Docker host offers: a {@code tcp://127.0.0.1:<port>} listener with {@code --tlsverify}
 * (server certificate and CA from {@link TlsFiles}), and a client certificate directory ({@code
 * ca.pem}, {@code cert.pem}, {@code key.pem}) as {@code DOCKER_CERT_PATH} expects it.
 */
public final class DockerDaemon implements AutoCloseable {

  private final String name;
  private final Path dir;
  private final List<String> extraArgs;
  private final int tlsPort;
  private final Path clientCerts;
  private DockerClient client;

  /**
   * A daemon that also listens on {@code tcp://127.0.0.1:<free port>} and accepts only clients with
   * a certificate signed by {@code tls}'s CA ({@code dockerd --tlsverify}).
   */
  public static DockerDaemon withTls(String name, TlsFiles tls) {
    int port = FreePorts.one();
    return new DockerDaemon(
        name,
        List.of(
            "-H",
            "tcp://127.0.0.1:" + port,
            "--tlsverify",
            "--tlscacert",
            tls.ca().toString(),
            "--tlscert",
            tls.serverCert().toString(),
            "--tlskey",
            tls.serverKey().toString()),
        port,
        tls);
  }

  /** A daemon named {@code name} (used for its containerd namespaces and temp dir). */
  public DockerDaemon(String name) {
    this(name, List.of());
  }

  public DockerDaemon(String name, List<String> extraArgs) {
    this(name, extraArgs, 0, null);
  }

  private DockerDaemon(String name, List<String> extraArgs, int tlsPort, TlsFiles tls) {
    if (!name.matches("[a-z0-9][a-z0-9-]{0,15}")) {
      throw new IllegalArgumentException("daemon name must be [a-z0-9-]{1,16}: " + name);
    }
    this.name = name;
    this.extraArgs = List.copyOf(extraArgs);
    this.tlsPort = tlsPort;
    try {
      // short: unix socket paths (ours and containerd's under exec/) are limited to 108 bytes
      this.dir = Files.createTempDirectory(Path.of("/tmp"), "tnd-");
      Files.writeString(dir.resolve("daemon.json"), "{}\n");
      if (tls != null) {
        this.clientCerts = Files.createDirectories(dir.resolve("client-certs"));
        Files.copy(tls.ca(), clientCerts.resolve("ca.pem"));
        Files.copy(tls.clientCert(), clientCerts.resolve("cert.pem"));
        Files.copy(tls.clientKey(), clientCerts.resolve("key.pem"));
      } else {
        this.clientCerts = null;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code tcp://127.0.0.1:<port>} of a daemon made by {@link #withTls}. */
  public String tlsHost() {
    if (tlsPort == 0) {
      throw new IllegalStateException("dockerd " + name + " has no TLS listener (see withTls)");
    }
    return "tcp://127.0.0.1:" + tlsPort;
  }

  /** The client certificate directory ({@code ca.pem}, {@code cert.pem}, {@code key.pem}). */
  public Path clientCertPath() {
    if (clientCerts == null) {
      throw new IllegalStateException("dockerd " + name + " has no TLS listener (see withTls)");
    }
    return clientCerts;
  }

  public String name() {
    return name;
  }

  public Path dir() {
    return dir;
  }

  public Path socket() {
    return dir.resolve("docker.sock");
  }

  /** The engine address for clients: {@code unix:///tmp/tnd-…/docker.sock}. */
  public String host() {
    return "unix://" + socket();
  }

  public Path pidfile() {
    return dir.resolve("docker.pid");
  }

  public Path log() {
    return dir.resolve("dockerd.log");
  }

  /** The command line; a separate config file keeps the machine's /etc/docker out of it. */
  List<String> command() {
    List<String> cmd = new ArrayList<>();
    cmd.add(Binaries.require("dockerd"));
    cmd.addAll(
        List.of(
            "--config-file",
            dir.resolve("daemon.json").toString(),
            "--bridge=none",
            "--iptables=false",
            "--ip-masq=false",
            "--ip6tables=false",
            "--data-root",
            dir.resolve("data").toString(),
            "--exec-root",
            dir.resolve("exec").toString(),
            "--pidfile",
            pidfile().toString(),
            "-H",
            host(),
            "--containerd-namespace",
            name,
            "--containerd-plugins-namespace",
            name + "p"));
    cmd.addAll(extraArgs);
    return cmd;
  }

  /** Starts the daemon (no-op when it runs) and waits until it answers a ping. */
  public synchronized DockerDaemon start() {
    if (isRunning()) {
      return this;
    }
    ProcessBuilder pb = new ProcessBuilder(command()).directory(dir.toFile());
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start dockerd " + name, e);
    }
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(deadline)) {
      if (!p.isAlive()) {
        throw new IllegalStateException(
            "dockerd " + name + " exited with " + p.exitValue() + ": " + tail());
      }
      if (pidfileProcess().isPresent() && answers()) {
        return this;
      }
      ManagedServer.sleep(100);
    }
    p.destroyForcibly();
    throw new IllegalStateException("dockerd " + name + " did not answer within 60 s: " + tail());
  }

  private boolean answers() {
    try {
      client().pingCmd().exec();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The running daemon's process, found by its pidfile. */
  private Optional<ProcessHandle> pidfileProcess() {
    try {
      String pid = Files.readString(pidfile()).trim();
      return ProcessHandle.of(Long.parseLong(pid)).filter(ProcessHandle::isAlive);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  public synchronized boolean isRunning() {
    return pidfileProcess().isPresent();
  }

  /** The daemon's pid (from its pidfile). */
  public long pid() {
    return pidfileProcess()
        .map(ProcessHandle::pid)
        .orElseThrow(() -> new IllegalStateException("dockerd " + name + " is not running"));
  }

  /**
   * SIGTERM by pidfile and wait until it exited: dockerd stops its containers (no live-restore), as
   * a host's engine going away does.
   */
  public synchronized void stop() {
    pidfileProcess().ifPresent(ph -> awaitExit(ph, ph.destroy()));
  }

  /** SIGKILL by pidfile: its containerd-shims keep the containers running, as after a crash. */
  public synchronized void kill() {
    pidfileProcess().ifPresent(ph -> awaitExit(ph, ph.destroyForcibly()));
  }

  private void awaitExit(ProcessHandle ph, boolean signalled) {
    if (!signalled) {
      throw new IllegalStateException("cannot signal dockerd " + name + " (" + ph.pid() + ")");
    }
    try {
      ph.onExit().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      ph.destroyForcibly();
      ph.onExit().orTimeout(10, TimeUnit.SECONDS).join();
    }
  }

  /** A client of this daemon (one per daemon; it reconnects after a restart). */
  public synchronized DockerClient client() {
    if (client == null) {
      DefaultDockerClientConfig config =
          DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host()).build();
      ApacheDockerHttpClient http =
          new ApacheDockerHttpClient.Builder()
              .dockerHost(config.getDockerHost())
              .maxConnections(20)
              .connectionTimeout(Duration.ofSeconds(5))
              .responseTimeout(Duration.ofSeconds(60))
              .build();
      client = DockerClientImpl.getInstance(config, http);
    }
    return client;
  }

  /**
   * Copies {@code image} from the machine's engine into this one ({@code docker save | docker -H
   * <this> load}); nothing is pulled.
   */
  public void load(String image) {
    String docker = Binaries.require("docker");
    try {
      Process save =
          new ProcessBuilder(docker, "save", image)
              .redirectError(ProcessBuilder.Redirect.appendTo(log().toFile()))
              .start();
      Process load =
          new ProcessBuilder(docker, "-H", host(), "load")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
              .start();
      try (InputStream in = save.getInputStream();
          OutputStream out = load.getOutputStream()) {
        in.transferTo(out);
      }
      boolean saved = save.waitFor(120, TimeUnit.SECONDS) && save.exitValue() == 0;
      boolean loaded = load.waitFor(120, TimeUnit.SECONDS) && load.exitValue() == 0;
      if (!saved || !loaded) {
        throw new IllegalStateException(
            "loading " + image + " into dockerd " + name + " failed: " + tail());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Stops the daemon and deletes its data (containers included). */
  @Override
  public synchronized void close() {
    stop();
    if (client != null) {
      try {
        client.close();
      } catch (IOException e) {
        // the daemon is gone; nothing to release
      }
    }
    unmountUnder(dir);
    deleteQuietly(dir.toFile());
  }

  /** Lazily unmounts what a killed daemon left mounted under {@code root} (deepest first). */
  private static void unmountUnder(Path root) {
    try {
      List<String> points = new ArrayList<>();
      for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
        String[] f = line.split(" ");
        if (f.length > 1 && f[1].startsWith(root + "/")) {
          points.add(f[1]);
        }
      }
      points.sort((a, b) -> b.length() - a.length());
      for (String point : points) {
        new ProcessBuilder("umount", "-l", point)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start()
            .waitFor(10, TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      // best effort: what stays mounted is skipped by deleteQuietly's mount check below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log(), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private static void deleteQuietly(File f) {
    // do not follow links out of the data root (overlay work dirs, netns bind mounts)
    if (!Files.isSymbolicLink(f.toPath())) {
      File[] children = f.listFiles();
      if (children != null) {
        for (File c : children) {
          deleteQuietly(c);
        }
      }
    }
    f.delete();
  }
}
