package io.trynow.platform.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.testsupport.RealServers.Kind;
import io.trynow.testsupport.RealServersExtension.WithRealServers;
import io.trynow.testsupport.ValkeyServer;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** One real Valkey per class, a fresh prefix and clock per test, the checker after each test. */
@WithRealServers(Kind.VALKEY)
abstract class StoreTestBase {

  static final int FIRST_PORT = 21000;
  static final int LAST_PORT = 21049;
  private static final AtomicInteger TEMPLATES = new AtomicInteger();

  final MutableClock clock = new MutableClock();
  Store store;
  ValkeyServer valkey;

  @BeforeEach
  void openStore(ValkeyServer valkey) {
    this.valkey = valkey;
    store = Store.connect(valkey.url(), Fixtures.prefix(getClass().getSimpleName()), clock);
    store.capacity().initPorts(FIRST_PORT, LAST_PORT);
  }

  @AfterEach
  void checkAndClose() {
    try {
      if (valkey.isRunning()) {
        assertThat(ConsistencyChecker.check(store)).isEmpty();
      }
    } finally {
      store.close();
    }
  }

  /** A template name no other test uses (so ready lists and queues start empty). */
  static String template() {
    return "tpl" + TEMPLATES.incrementAndGet();
  }

  long version(String id) {
    return store.instance(id).orElseThrow().version();
  }
}
