package io.trynow.platform.nats;

import com.github.dockerjava.core.util.CertificateUtils;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Security;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The NATS connection's {@link SSLContext} from PEM files ({@link NatsSecurity} calls it only when
 * {@code trynow.nats.tls.*} is set). A class of its own so that a service without NATS TLS never
 * loads BouncyCastle: verifying a class that names {@code BouncyCastleProvider} as a {@code
 * Provider} loads it, and BouncyCastle's jars are signed (manifests of 0.1-0.8 MB, parsed and their
 * signatures checked on the first class read from them). That cost every service ~10 % of its
 * startup thread (JFR of proxy-sync's start, session 11).
 */
final class NatsTlsContext {

  private static final char[] STORE_PASSWORD = "docker".toCharArray(); // CertificateUtils' own

  private NatsTlsContext() {}

  static SSLContext of(NatsConfig.Tls t) {
    if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
      Security.addProvider(new BouncyCastleProvider()); // CertificateUtils asks for it by name
    }
    try {
      TrustManagerFactory tmf = null;
      if (t.caFile().isPresent()) {
        KeyStore trust =
            CertificateUtils.createTrustStore(NatsSecurity.read("tls.ca-file", t.caFile().get()));
        tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
      }
      KeyManagerFactory kmf = null;
      if (t.certFile().isPresent()) {
        KeyStore keys;
        try {
          keys =
              CertificateUtils.createKeyStore(
                  NatsSecurity.read("tls.key-file", t.keyFile().orElseThrow()),
                  NatsSecurity.read("tls.cert-file", t.certFile().get()));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
          throw NatsSecurity.bad(
              "tls.cert-file", "cannot load the certificate and key as PEM: " + e.getMessage());
        }
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, STORE_PASSWORD);
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(
          kmf == null ? null : kmf.getKeyManagers(),
          tmf == null ? null : tmf.getTrustManagers(),
          null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw NatsSecurity.bad(
          "tls.ca-file", "cannot load the CA certificate as PEM: " + e.getMessage());
    }
  }
}
