package io.trynow.testsupport;

import com.github.dockerjava.api.DockerClient;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Arrays;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension: {@code @WithRealServers({NATS, VALKEY})} on a test class starts those servers
 * once for the class and injects {@link RealServers}, {@link NatsServer}, {@link ValkeyServer},
 * {@link CaddyServer} or {@link DockerClient} into test methods, constructors and lifecycle
 * methods. They are killed and their temp dirs deleted after the class.
 */
public final class RealServersExtension implements ParameterResolver {

  /** Marks a test class that needs real servers. */
  @Target(ElementType.TYPE)
  @Retention(RetentionPolicy.RUNTIME)
  @ExtendWith(RealServersExtension.class)
  public @interface WithRealServers {
    RealServers.Kind[] value();
  }

  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(RealServersExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
    Class<?> t = pc.getParameter().getType();
    return t == RealServers.class
        || t == NatsServer.class
        || t == ValkeyServer.class
        || t == CaddyServer.class
        || t == DockerClient.class;
  }

  @Override
  public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
    RealServers servers = servers(ec);
    Class<?> t = pc.getParameter().getType();
    if (t == NatsServer.class) {
      return servers.nats();
    }
    if (t == ValkeyServer.class) {
      return servers.valkey();
    }
    if (t == CaddyServer.class) {
      return servers.caddy();
    }
    if (t == DockerClient.class) {
      return servers.docker();
    }
    return servers;
  }

  private static RealServers servers(ExtensionContext ec) {
    Class<?> testClass = ec.getRequiredTestClass();
    ExtensionContext classContext = ec;
    while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
      classContext = classContext.getParent().get();
    }
    WithRealServers ann = testClass.getAnnotation(WithRealServers.class);
    RealServers.Kind[] kinds = ann != null ? ann.value() : RealServers.Kind.values();
    return classContext
        .getStore(NS)
        .getOrComputeIfAbsent(
            testClass.getName(),
            k -> {
              RealServers.Kind first = kinds[0];
              return RealServers.start(first, Arrays.copyOfRange(kinds, 1, kinds.length));
            },
            RealServers.class);
  }
}
