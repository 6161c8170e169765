package io.rewardstream.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on 127.0.0.1 in front of a real server, that a test can cut (the port refuses
 * connections and open ones are reset) and restore on the same port: a network outage of a real
 * service, for tests of what a client does while it cannot reach it.
 */
public final class TcpRelay implements AutoCloseable {

  private final int targetPort;
  private final int port;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private volatile ServerSocket server;

  /** A relay on a free port to {@code 127.0.0.1:targetPort}, passing traffic. */
  public TcpRelay(int targetPort) {
    this.targetPort = targetPort;
    this.server = bind(0);
    this.port = server.getLocalPort();
    accept(server);
  }

  /** The relay's port. */
  public int port() {
    return port;
  }

  /** Refuses new connections and resets the open ones. */
  public void cut() {
    close(server);
    for (Socket s : open) {
      close(s);
    }
    open.clear();
  }

  /** Passes traffic again, on the same port. */
  public void restore() {
    server = bind(port);
    accept(server);
  }

  @Override
  public void close() {
    cut();
  }

  private static ServerSocket bind(int port) {
    try {
      ServerSocket socket = new ServerSocket();
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return socket;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind the relay to port " + port, e);
    }
  }

  private void accept(ServerSocket listening) {
    Thread acceptor =
        new Thread(
            () -> {
              while (!listening.isClosed()) {
                try {
                  Socket client = listening.accept();
                  Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                  open.add(client);
                  open.add(target);
                  pump(client, target);
                  pump(target, client);
                } catch (IOException e) {
                  return; // cut
                }
              }
            },
            "tcp-relay-accept-" + port);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private static void pump(Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[8192];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // one side closed or was reset
              } finally {
                close(from);
                close(to);
              }
            },
            "tcp-relay-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void close(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // already closed
    }
  }
}
