package io.trynow.platform.state;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One blocking connection speaking RESP2: the caller's thread writes the commands and reads the
 * replies, with no hand-off to another thread (the cheapest round trip there is). Not thread-safe;
 * {@link BlockingConnections} lends it to one caller at a time. Any I/O error leaves it unusable.
 */
final class RespConnection implements AutoCloseable {

  private final SocketChannel channel;
  private final OutputStream out;
  private final InputStream in;
  private final ByteBuffer peek = ByteBuffer.allocate(1);

  RespConnection(Endpoint e, int timeoutMs) throws IOException {
    channel = SocketChannel.open();
    try {
      Socket socket = channel.socket();
      socket.setTcpNoDelay(true);
      socket.setKeepAlive(true);
      socket.connect(new InetSocketAddress(e.host(), e.port()), timeoutMs);
      socket.setSoTimeout(timeoutMs); // honoured by the socket's streams
      out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
      in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
      if (e.password() != null) {
        expectOk(
            e.user() == null ? call("AUTH", e.password()) : call("AUTH", e.user(), e.password()),
            "AUTH");
      }
      if (e.db() != 0) {
        expectOk(call("SELECT", String.valueOf(e.db())), "SELECT");
      }
    } catch (IOException | RuntimeException ex) {
      channel.close();
      throw ex;
    }
  }

  private static void expectOk(Reply r, String what) throws IOException {
    if (r.isError()) {
      throw new IOException(what + " failed: " + r);
    }
  }

  /** Sends one command and reads its reply (an error reply is returned, not thrown). */
  Reply call(String... args) throws IOException {
    write(args);
    out.flush();
    return read();
  }

  /** Sends the commands in one write and reads their replies, in order. */
  List<Reply> pipeline(List<String[]> commands) throws IOException {
    for (String[] c : commands) {
      write(c);
    }
    out.flush();
    List<Reply> replies = new ArrayList<>(commands.size());
    for (int i = 0; i < commands.size(); i++) {
      replies.add(read());
    }
    return replies;
  }

  /**
   * True when this idle connection cannot be used: the server closed it (a restart, a client
   * timeout) or sent something nobody asked for. Looks without blocking, so a connection that went
   * away while idle is replaced before a command is written to it — a command written to it could
   * not tell "never ran" from "ran, reply lost".
   */
  boolean stale() {
    try {
      if (in.available() > 0) {
        return true;
      }
      channel.configureBlocking(false);
      try {
        peek.clear();
        return channel.read(peek) != 0;
      } finally {
        channel.configureBlocking(true);
      }
    } catch (IOException | RuntimeException e) {
      return true;
    }
  }

  private void write(String[] args) throws IOException {
    out.write('*');
    writeNumber(args.length);
    for (String a : args) {
      byte[] b = a.getBytes(StandardCharsets.UTF_8);
      out.write('$');
      writeNumber(b.length);
      out.write(b);
      out.write('\r');
      out.write('\n');
    }
  }

  private void writeNumber(long n) throws IOException {
    out.write(Long.toString(n).getBytes(StandardCharsets.US_ASCII));
    out.write('\r');
    out.write('\n');
  }

  private Reply read() throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("valkey closed the connection");
    }
    return switch (type) {
      case '+', ':' -> Reply.text(line());
      case '-' -> Reply.error(line());
      case '$' -> bulk(Integer.parseInt(line()));
      case '*' -> {
        int n = Integer.parseInt(line());
        if (n < 0) {
          yield Reply.NIL;
        }
        List<Reply> elements = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          elements.add(read());
        }
        yield Reply.array(elements);
      }
      default -> throw new IOException("unexpected RESP type byte " + type);
    };
  }

  private Reply bulk(int len) throws IOException {
    if (len < 0) {
      return Reply.NIL;
    }
    byte[] b = in.readNBytes(len);
    if (b.length != len || in.read() != '\r' || in.read() != '\n') {
      throw new EOFException("truncated bulk string");
    }
    return Reply.text(new String(b, StandardCharsets.UTF_8));
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder(16);
    int c;
    while ((c = in.read()) != '\r') {
      if (c < 0) {
        throw new EOFException("truncated reply");
      }
      sb.append((char) c);
    }
    if (in.read() != '\n') {
      throw new IOException("malformed reply line");
    }
    return sb.toString();
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // closing a broken socket: nothing left to do
    }
  }
}
