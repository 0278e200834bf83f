package io.trynow.platform.state;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Readiness DOWN naming Valkey and the cause: wrong-password. */
@QuarkusTest
@WithTestResource(
    value = SecuredValkeyResource.class,
    initArgs = @ResourceArg(name = "mode", value = "wrong-password"))
class ValkeyWrongPasswordIT extends ReadinessDownBase {

  @Test
  void readinessIsDown() {
    readinessIsDownNaming("WRONGPASS");
  }
}
