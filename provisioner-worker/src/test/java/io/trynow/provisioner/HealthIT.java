package io.trynow.provisioner;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trynow.testsupport.RealServersResource;
import io.trynow.testsupport.ServiceHealthContract;

@QuarkusTest
@WithTestResource(RealServersResource.class)
class HealthIT extends ServiceHealthContract {

  @Override
  protected boolean talksToDocker() {
    return true;
  }
}
