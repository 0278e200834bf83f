package io.trynow.deploy;

import org.junit.jupiter.api.Test;

/**
 * The five services are packaged as aot-jars (the root pom's {@code quarkus.package.jar.type}), so
 * what {@code ./trynow}, the images, Compose and the chart run loads through the JVM's class path
 * and the JDK AOT cache covers the service and its libraries. Reads the jars the reactor built
 * before this module ({@code deploy}'s pom lists the services for build order).
 */
class AotJarTest {

  @Test
  void everyServiceIsBuiltAsAnAotJar() {
    ComposeFileTest.SERVICES.keySet().forEach(AotJar::app);
  }
}
