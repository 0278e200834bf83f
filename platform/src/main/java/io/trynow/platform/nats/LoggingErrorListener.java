package io.trynow.platform.nats;

import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import org.jboss.logging.Logger;

/** Logs NATS client errors once each instead of letting the client print them. */
final class LoggingErrorListener implements ErrorListener {

  private static final Logger LOG = Logger.getLogger(LoggingErrorListener.class);

  @Override
  public void errorOccurred(Connection conn, String error) {
    LOG.warnf("nats error: %s", error);
  }

  @Override
  public void exceptionOccurred(Connection conn, Exception exp) {
    LOG.warnf("nats exception: %s", exp.toString());
  }
}
