package io.trynow.testsupport;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * A real {@code valkey-server} (preferred) or {@code redis-server} on loopback. With AOF on, a
 * restart keeps the data, as production Valkey does.
 *
 * <p>Secured servers: {@code new ValkeyServer(new ValkeyServer.Options().tls(TlsFiles.create())
 * .password("pw").aclUser("store", "store-pw", "~* &* +@all"))} listens only on TLS (its {@link
 * #port()} is the TLS port, clients must present a certificate of the same CA), requires the
 * password for the default user and knows the ACL user. {@link #url()} is then {@code
 * rediss://127.0.0.1:<port>} (no credentials in it); {@link #command} and {@link #call} go through
 * TLS and authenticate as the ACL user (or the default user when there is none).
 */
public final class ValkeyServer extends ManagedServer {

  /** How a server is started. Mutable builder; each setter returns this. */
  public static final class Options {
    boolean appendOnly = true;
    TlsFiles tls;
    String password;
    String aclUser;
    String aclPassword;
    String aclRules = "~* &* +@all";
    int replicaOf;

    /** AOF on (default) or off. */
    public Options appendOnly(boolean on) {
      this.appendOnly = on;
      return this;
    }

    /** Listen only on TLS with these files; clients must present a certificate (mutual TLS). */
    public Options tls(TlsFiles files) {
      this.tls = files;
      return this;
    }

    /** {@code requirepass}: the default user's password. */
    public Options password(String pw) {
      this.password = pw;
      return this;
    }

    /** An ACL user with {@code ~* &* +@all} (may do everything). */
    public Options aclUser(String user, String pw) {
      return aclUser(user, pw, "~* &* +@all");
    }

    /** An ACL user with these rules (e.g. {@code "~{trynow}:* +@all -@dangerous"}). */
    public Options aclUser(String user, String pw, String rules) {
      this.aclUser = user;
      this.aclPassword = pw;
      this.aclRules = rules;
      return this;
    }

    /** Start as a replica of the server on this loopback port (same TLS and credentials). */
    public Options replicaOf(int port) {
      this.replicaOf = port;
      return this;
    }

    Options copy() {
      Options o = new Options();
      o.appendOnly = appendOnly;
      o.tls = tls;
      o.password = password;
      o.aclUser = aclUser;
      o.aclPassword = aclPassword;
      o.aclRules = aclRules;
      o.replicaOf = replicaOf;
      return o;
    }
  }

  private final Options options;
  private volatile SSLContext clientTls;

  public ValkeyServer() {
    this(true);
  }

  public ValkeyServer(boolean appendOnly) {
    this(new Options().appendOnly(appendOnly));
  }

  public ValkeyServer(Options options) {
    super(Binaries.require("valkey-server", "redis-server"), FreePorts.one(), "trynow-valkey-");
    this.options = options.copy();
  }

  @Override
  public String name() {
    return "valkey";
  }

  /** {@code redis://127.0.0.1:<port>}, or {@code rediss://} with TLS; never credentials. */
  public String url() {
    return (isTls() ? "rediss" : "redis") + "://127.0.0.1:" + port;
  }

  /** {@link #url()} with the ACL user (or the default user's password) in it. */
  public String urlWithCredentials() {
    String scheme = isTls() ? "rediss" : "redis";
    if (options.aclUser != null) {
      return scheme + "://" + options.aclUser + ":" + options.aclPassword + "@127.0.0.1:" + port;
    }
    if (options.password != null) {
      return scheme + "://:" + options.password + "@127.0.0.1:" + port;
    }
    return url();
  }

  public boolean isTls() {
    return options.tls != null;
  }

  /** The TLS files, or null. */
  public TlsFiles tls() {
    return options.tls;
  }

  /** The default user's password, or null. */
  public String password() {
    return options.password;
  }

  /** The ACL user, or null. */
  public String aclUser() {
    return options.aclUser;
  }

  /** The ACL user's password, or null. */
  public String aclPassword() {
    return options.aclPassword;
  }

  @Override
  protected List<String> command() {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary);
    if (isTls()) {
      TlsFiles t = options.tls;
      cmd.addAll(
          List.of(
              "--port", "0",
              "--tls-port", String.valueOf(port),
              "--tls-cert-file", t.serverCert().toString(),
              "--tls-key-file", t.serverKey().toString(),
              "--tls-ca-cert-file", t.ca().toString(),
              "--tls-auth-clients", "yes",
              "--tls-replication", "yes"));
    } else {
      cmd.addAll(List.of("--port", String.valueOf(port)));
    }
    cmd.addAll(
        List.of(
            "--bind",
            "127.0.0.1",
            "--dir",
            dir.toString(),
            "--save",
            "",
            "--daemonize",
            "no",
            "--protected-mode",
            "yes"));
    cmd.addAll(
        List.of("--appendonly", options.appendOnly ? "yes" : "no", "--appendfsync", "everysec"));
    if (options.password != null) {
      cmd.addAll(List.of("--requirepass", options.password));
    }
    if (options.aclUser != null) {
      List<String> user =
          new ArrayList<>(List.of("--user", options.aclUser, "on", ">" + options.aclPassword));
      user.addAll(List.of(options.aclRules.split("\\s+")));
      cmd.addAll(user);
    }
    if (options.replicaOf != 0) {
      cmd.addAll(List.of("--replicaof", "127.0.0.1", String.valueOf(options.replicaOf)));
    }
    if (options.aclUser != null) {
      cmd.addAll(List.of("--masteruser", options.aclUser, "--masterauth", options.aclPassword));
    } else if (options.password != null) {
      cmd.addAll(List.of("--masterauth", options.password));
    }
    return cmd;
  }

  @Override
  protected boolean answers() {
    try {
      return command("PING").startsWith("+PONG");
    } catch (Exception e) {
      return false;
    }
  }

  /**
   * Sends one inline command and returns the first reply line (e.g. {@code +OK}, {@code :1}), over
   * TLS and authenticated when the server is secured.
   */
  public String command(String inline) {
    try {
      return probe().firstLine(inline);
    } catch (Exception e) {
      throw new IllegalStateException("valkey command failed: " + inline, e);
    }
  }

  /**
   * Sends one command and returns the whole reply: String (errors start with {@code -}), Long, List
   * or null.
   */
  public Object call(String... args) {
    try {
      return probe().call(args);
    } catch (IOException e) {
      throw new IllegalStateException("valkey command failed: " + String.join(" ", args), e);
    }
  }

  /**
   * As {@link #call}, logged in as {@code user} (null: the default user) with {@code password}
   * (null: no AUTH) — to look at the server as an administrator, or to try a login.
   */
  public Object callAs(String user, String password, String... args) {
    SSLContext ctx = isTls() ? probeTls() : null;
    try {
      return new RespProbe("127.0.0.1", port, ctx, user, password).call(args);
    } catch (IOException e) {
      throw new IllegalStateException("valkey command failed: " + String.join(" ", args), e);
    }
  }

  private SSLContext probeTls() {
    if (clientTls == null) {
      clientTls = options.tls.clientContext();
    }
    return clientTls;
  }

  /** The value of {@code field} in {@code INFO section} (e.g. {@code role}), or null. */
  public String info(String section, String field) {
    Object r = call("INFO", section);
    if (r instanceof String s) {
      for (String line : s.split("\r?\n")) {
        if (line.startsWith(field + ":")) {
          return line.substring(field.length() + 1).strip();
        }
      }
    }
    return null;
  }

  RespProbe probe() {
    SSLContext ctx = isTls() ? probeTls() : null;
    String user = options.aclUser;
    String pw = user != null ? options.aclPassword : options.password;
    return new RespProbe("127.0.0.1", port, ctx, user, pw);
  }
}
