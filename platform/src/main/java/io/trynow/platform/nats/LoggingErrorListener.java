package io.trynow.platform.nats;

import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Logs NATS client errors once each instead of letting the client print them, and hands the last
 * one to readiness (a wrong password or certificate shows there, not only in the log).
 */
final class LoggingErrorListener implements ErrorListener {

  private static final Logger LOG = Logger.getLogger(LoggingErrorListener.class);

  private final Consumer<String> serverError;
  private final Consumer<String> clientError;

  /**
   * @param serverError what the server said (e.g. {@code Authorization Violation})
   * @param clientError what the client ran into (a TLS failure, a timeout)
   */
  LoggingErrorListener(Consumer<String> serverError, Consumer<String> clientError) {
    this.serverError = serverError;
    this.clientError = clientError;
  }

  @Override
  public void errorOccurred(Connection conn, String error) {
    LOG.warnf("nats error: %s", error);
    serverError.accept(error);
  }

  @Override
  public void exceptionOccurred(Connection conn, Exception exp) {
    LOG.warnf("nats exception: %s", exp.toString());
    clientError.accept(exp.toString());
  }
}
