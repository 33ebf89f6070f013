package io.faultline.history.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server (Debian's {@code postgresql} package) in a temporary directory on a free
 * loopback port, for tests: {@code initdb}, then {@code postgres} as a child process, stopped and deleted
 * on {@link #close()} ({@link #halt()} and {@link #resume()} restart it in between). PostgreSQL refuses
 * to run as root, so as root (CI) both run as the {@code postgres}
 * user through {@code setpriv}, which execs in place: the child process is the server itself.
 */
public final class PostgresServer implements AutoCloseable {

  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final Path dir;
  private final boolean root;
  private final int port;
  private Process server;

  private PostgresServer(Path dir, boolean root, int port) {
    this.dir = dir;
    this.root = root;
    this.port = port;
  }

  /** The binaries' directory, or null when PostgreSQL is not installed. */
  public static Path binaries() {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return null;
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("postgres")))
          .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0")))).orElse(null);
    } catch (IOException e) {
      return null;
    }
  }

  public static PostgresServer start() throws Exception {
    Path bin = binaries();
    if (bin == null) {
      throw new IllegalStateException("PostgreSQL is not installed (apt-get install postgresql)");
    }
    Path dir = Files.createTempDirectory("faultline-pg");
    Path data = dir.resolve("data");
    boolean root = "root".equals(System.getProperty("user.name"));
    if (root) {
      run(List.of("chown", "-R", "postgres:postgres", dir.toString()));
    }
    run(asPostgres(root, bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "faultline", "-A", "trust",
        "--no-sync", "-E", "UTF8", "--locale=C"));
    // below the ephemeral range: a port picked there and freed for postgres could be taken by another module's
    // connection first, as the modules' tests run side by side (-T 1C)
    int port = io.faultline.chaos.testing.Upstreams.portToListenOn();
    PostgresServer pg = new PostgresServer(dir, root, port);
    pg.resume();
    return pg;
  }

  /**
   * Starts the server (again, after {@link #halt()}) on the same port and data, and waits until it accepts
   * connections.
   */
  public void resume() throws Exception {
    Path bin = binaries();
    server = new ProcessBuilder(asPostgres(root, bin.resolve("postgres").toString(), "-D", dir.resolve("data").toString(),
        "-p", Integer.toString(port), "-k", dir.toString(), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
        "-c", "synchronous_commit=off", "-c", "full_page_writes=off"))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile())).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), "faultline", null)) {
        return;
      } catch (SQLException e) {
        if (!server.isAlive() || System.nanoTime() > deadline) {
          close();
          throw new IllegalStateException("PostgreSQL did not start: " + Files.readString(dir.resolve("server.log")), e);
        }
        Thread.sleep(50); // polling the server's readiness: no event to wait on
      }
    }
  }

  /**
   * Stops the server as an administrator's restart does (fast shutdown: every client's connection is
   * ended) and keeps its data for {@link #resume()}.
   */
  public void halt() throws Exception {
    // SIGINT: PostgreSQL's fast shutdown (SIGTERM, the smart one, would wait for every client to leave)
    new ProcessBuilder("kill", "-INT", Long.toString(server.pid())).start().waitFor(10, TimeUnit.SECONDS);
    if (!server.waitFor(20, TimeUnit.SECONDS)) {
      server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** A new empty database; answers its {@code postgresql://} URL. */
  public String createDatabase() throws SQLException {
    String name = "history_" + DATABASES.incrementAndGet();
    try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), "faultline", null)) {
      c.createStatement().execute("CREATE DATABASE " + name);
    }
    return "postgresql://faultline@127.0.0.1:" + port + "/" + name;
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  @Override
  public void close() throws Exception {
    if (server.isAlive()) {
      halt();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static List<String> asPostgres(boolean root, String... command) {
    List<String> out = new ArrayList<>();
    if (root) {
      out.addAll(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"));
    }
    out.addAll(List.of(command));
    return out;
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
  }
}
