package io.faultline.chaos.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Other tools' own Node clients, as their users run them: a package installed from npm into a directory
 * under {@code target/} (a clean machine has node and npm, not the package; once per build directory),
 * and a test script from {@code src/test/node} run there with node.
 */
public final class NodeClients {

  private final Path dir;

  /** Installs {@code packageSpec} ({@code name@version}) into {@code dir}, unless it is there already. */
  public NodeClients(Path dir, String packageSpec) throws IOException, InterruptedException {
    this.dir = dir;
    String name = packageSpec.substring(0, packageSpec.lastIndexOf('@'));
    if (!Files.exists(dir.resolve("node_modules").resolve(name).resolve("package.json"))) {
      Files.createDirectories(dir);
      run(List.of("npm", "install", "--prefix", ".", "--no-audit", "--no-fund", "--no-save", "--no-package-lock", packageSpec), 300);
    }
  }

  /** Runs {@code src/test/node/SCRIPT} with {@code args} (at most {@code seconds}); answers its output, failing unless it exits 0. */
  public String node(String script, long seconds, String... args) throws IOException, InterruptedException {
    Files.copy(Path.of("src", "test", "node", script), dir.resolve(script), StandardCopyOption.REPLACE_EXISTING);
    List<String> command = new ArrayList<>(List.of("node", script));
    command.addAll(List.of(args));
    return run(command, seconds);
  }

  private String run(List<String> command, long seconds) throws IOException, InterruptedException {
    return run(dir, command, java.util.Map.of(), seconds);
  }

  /**
   * Runs {@code command} in {@code dir} with {@code env} added to the environment (at most {@code seconds}); answers its
   * output (and error output), failing unless it exits 0. For other tools' clients run as programs (grpc-go's too).
   */
  public static String run(Path dir, List<String> command, java.util.Map<String, String> env, long seconds)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish in " + seconds + " s");
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(String.join(" ", command) + " output:\n" + output).isZero();
    return output;
  }
}
