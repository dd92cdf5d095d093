package io.portmesh.deploy;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Renders a kustomization directory with {@code kubectl kustomize}; a test is skipped (not failed) without kubectl. */
final class Kustomize {
    private static final long TIMEOUT_SECONDS = 60;

    private Kustomize() {}

    /** The deploy/ directory: the module's base directory, which Maven sets as the tests' working directory. */
    static Path deployDir() {
        Path here = Path.of("").toAbsolutePath();
        Path dir = Files.isDirectory(here.resolve("base")) ? here : here.resolve("deploy");
        if (!Files.isDirectory(dir.resolve("base"))) {
            throw new IllegalStateException(
                    "deploy/base not found from " + here + ": run the tests from the repository");
        }
        return dir;
    }

    /** kubectl from $KUBECTL, /usr/bin or the PATH; empty when there is none. */
    static Optional<Path> kubectl() {
        String fromEnv = System.getenv("KUBECTL");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Optional.of(Path.of(fromEnv)).filter(Files::isExecutable);
        }
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.concat(Stream.of("/usr/bin"), Stream.of(path.split(java.io.File.pathSeparator)))
                .filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, "kubectl"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** The rendered YAML of deploy/{@code relativeDir}; skips the calling test when kubectl is absent. */
    static String render(String relativeDir) {
        Optional<Path> kubectl = kubectl();
        assumeTrue(
                kubectl.isPresent(),
                "kubectl not found (PATH, /usr/bin or $KUBECTL): the kustomize manifests were not rendered or checked");
        Path dir = deployDir().resolve(relativeDir);
        try {
            Path err = Files.createTempFile("kustomize", ".err");
            try {
                Process p = new ProcessBuilder(kubectl.get().toString(), "kustomize", dir.toString())
                        .redirectError(err.toFile())
                        .start();
                byte[] out = p.getInputStream().readAllBytes();
                if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(
                            "kubectl kustomize " + dir + " ran longer than " + TIMEOUT_SECONDS + " s");
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("kubectl kustomize " + dir + " failed (exit " + p.exitValue()
                            + "): " + Files.readString(err));
                }
                return new String(out, StandardCharsets.UTF_8);
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kubectl kustomize " + dir + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while rendering " + dir, e);
        }
    }
}
