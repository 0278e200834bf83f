package io.trynow.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS material made by the test with the {@code openssl} CLI, in PEM files in a temp dir: a CA, a
 * server certificate for {@code localhost}, {@code 127.0.0.1}, {@code 127.0.0.2}, {@code ::1} (also
 * usable as a client certificate: no extended key usage), and a client certificate, both signed by
 * the CA. EC P-256 keys in PKCS#8 ({@code BEGIN PRIVATE KEY}). Any server of the harness (Valkey,
 * NATS, dockerd) can use them.
 *
 * <pre>{@code
 * TlsFiles tls = TlsFiles.create();
 * tls.ca(); tls.serverCert(); tls.serverKey(); tls.clientCert(); tls.clientKey();
 * SSLContext ctx = tls.clientContext(); // trusts the CA, presents the client certificate
 * }</pre>
 *
 * <p>{@link #create(String)} with another CA name makes an unrelated CA: a client trusting it must
 * be refused (TLS mismatch tests).
 */
public final class TlsFiles {

  /** Dirs made by this JVM, deleted when it exits (keys and certificates are test-only). */
  private static final java.util.Set<Path> MADE =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  for (Path d : MADE) {
                    deleteTree(d.toFile());
                  }
                },
                "tls-files-cleanup"));
  }

  private final Path dir;

  private TlsFiles(Path dir) {
    this.dir = dir;
  }

  private static void deleteTree(java.io.File f) {
    java.io.File[] children = f.listFiles();
    if (children != null) {
      for (java.io.File c : children) {
        deleteTree(c);
      }
    }
    f.delete();
  }

  /** A fresh CA and certificates in a new temp dir. */
  public static TlsFiles create() {
    return create("trynow-test-ca");
  }

  /** As {@link #create()}, with the CA's common name {@code caName}. */
  public static TlsFiles create(String caName) {
    String openssl = Binaries.require("openssl");
    Path dir;
    try {
      dir = Files.createTempDirectory("trynow-tls-");
      MADE.add(dir);
      Files.writeString(
          dir.resolve("server.ext"),
          "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:127.0.0.2,IP:::1\n"
              + "basicConstraints=CA:FALSE\n");
      Files.writeString(dir.resolve("client.ext"), "basicConstraints=CA:FALSE\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    run(
        dir,
        openssl,
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        "ca.key");
    run(
        dir,
        openssl,
        "req",
        "-x509",
        "-new",
        "-key",
        "ca.key",
        "-days",
        "2",
        "-subj",
        "/CN=" + caName,
        "-out",
        "ca.crt");
    for (String who : List.of("server", "client")) {
      run(
          dir,
          openssl,
          "genpkey",
          "-algorithm",
          "EC",
          "-pkeyopt",
          "ec_paramgen_curve:P-256",
          "-out",
          who + ".key");
      run(
          dir,
          openssl,
          "req",
          "-new",
          "-key",
          who + ".key",
          "-subj",
          "/CN=trynow-" + who,
          "-out",
          who + ".csr");
      run(
          dir,
          openssl,
          "x509",
          "-req",
          "-in",
          who + ".csr",
          "-CA",
          "ca.crt",
          "-CAkey",
          "ca.key",
          "-CAcreateserial",
          "-days",
          "2",
          "-extfile",
          who + ".ext",
          "-out",
          who + ".crt");
    }
    return new TlsFiles(dir);
  }

  private static void run(Path dir, String... cmd) {
    try {
      Process p =
          new ProcessBuilder(cmd)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("openssl.log").toFile()))
              .start();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException(
            "openssl failed: "
                + String.join(" ", cmd)
                + "\n"
                + Files.readString(dir.resolve("openssl.log")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public Path dir() {
    return dir;
  }

  /** The CA certificate (PEM). */
  public Path ca() {
    return dir.resolve("ca.crt");
  }

  public Path serverCert() {
    return dir.resolve("server.crt");
  }

  public Path serverKey() {
    return dir.resolve("server.key");
  }

  public Path clientCert() {
    return dir.resolve("client.crt");
  }

  public Path clientKey() {
    return dir.resolve("client.key");
  }

  /** A client-side context that trusts this CA and presents the client certificate. */
  public SSLContext clientContext() {
    return context(clientKey(), clientCert(), true);
  }

  /**
   * A server-side context presenting this CA's server certificate (no client certificate asked).
   */
  public SSLContext serverContext() {
    return context(serverKey(), serverCert(), false);
  }

  /** A context presenting {@code key}/{@code cert}; trusting this CA if {@code trustCa}. */
  private SSLContext context(Path key, Path cert, boolean trustCa) {
    try {
      TrustManagerFactory tmf = null;
      if (trustCa) {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        for (Certificate c : certificates(ca())) {
          trust.setCertificateEntry("ca" + i++, c);
        }
        tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
      }
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      char[] pw = "changeit".toCharArray();
      keys.setKeyEntry("own", privateKey(key), pw, certificates(cert).toArray(new Certificate[0]));
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, pw);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot build a TLS context from " + dir, e);
    }
  }

  private static List<Certificate> certificates(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
    }
  }

  private static PrivateKey privateKey(Path pem) throws Exception {
    String text = Files.readString(pem, StandardCharsets.US_ASCII);
    String b64 = text.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
    byte[] der = Base64.getDecoder().decode(b64);
    return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
  }

  /** Reads a PEM file as text (for settings that take the PEM itself). */
  public static String pem(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
