package io.trynow.platform.nats;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Linking {@link NatsSecurity} (what every service does at startup, TLS or not) loads no
 * BouncyCastle class: BouncyCastle's jars are signed, and the first class read from one costs the
 * parse of a manifest of up to 0.8 MB and the check of its signature (~10 % of a service's startup
 * thread). Only {@link NatsTlsContext}, used when {@code trynow.nats.tls.*} is set, names it.
 */
class NatsSecurityLoadingTest {

  /** A loader of the test's class path of its own, which says what it has loaded. */
  static final class Isolated extends URLClassLoader {
    Isolated() throws MalformedURLException {
      super(classPath(), ClassLoader.getPlatformClassLoader());
    }

    boolean loaded(String name) {
      return findLoadedClass(name) != null;
    }

    private static URL[] classPath() throws MalformedURLException {
      List<URL> urls = new ArrayList<>();
      for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
        urls.add(new File(e).toURI().toURL());
      }
      return urls.toArray(URL[]::new);
    }
  }

  private static final String PROVIDER = "org.bouncycastle.jce.provider.BouncyCastleProvider";

  @Test
  void linkingNatsSecurityLoadsNoBouncyCastle() throws Exception {
    try (Isolated loader = new Isolated()) {
      Class<?> c = Class.forName(NatsSecurity.class.getName(), true, loader);
      assertThat(c.getClassLoader()).isSameAs(loader);
      assertThat(loader.loaded(PROVIDER)).isFalse();
    }
  }

  @Test
  void theTlsContextDoesNameIt() throws Exception {
    try (Isolated loader = new Isolated()) {
      Class.forName(NatsTlsContext.class.getName(), true, loader);
      assertThat(loader.loaded(PROVIDER)).isTrue();
    }
  }
}
