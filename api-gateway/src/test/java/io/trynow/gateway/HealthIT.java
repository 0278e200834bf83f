package io.trynow.gateway;

import static io.restassured.RestAssured.given;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.trynow.testsupport.ManagementPort;
import io.trynow.testsupport.RealServersResource;
import io.trynow.testsupport.ServiceHealthContract;

/** The gateway answers health and metrics on its management interface. */
@QuarkusTest
@WithTestResource(RealServersResource.class)
class HealthIT extends ServiceHealthContract {

  @Override
  protected RequestSpecification q() {
    return given().baseUri(ManagementPort.base());
  }
}
