package io.portmesh.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portmesh.openflow.tls.OfTlsFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --tls-certificate}, {@code --tls-key} and {@code --tls-ca} turn OpenFlow TLS on, all three or none. */
class AgentMainTlsOptionsTest {
    @TempDir
    Path dir;

    private static AgentMain parsed(String... args) {
        AgentMain main = new AgentMain();
        new CommandLine(main).parseArgs(args);
        return main;
    }

    @Test
    void theThreeOptionsTurnTlsOnWithTheirFiles() throws Exception {
        Path crt = Files.writeString(dir.resolve("agent a.crt"), "x"); // a space: the paths are quoted
        Path key = Files.writeString(dir.resolve("agent.key"), "x");
        Path ca = Files.writeString(dir.resolve("ca.crt"), "x");
        assertThat(parsed("--tls-certificate", crt.toString(), "--tls-key", key.toString(), "--tls-ca", ca.toString())
                        .settings()
                        .tls())
                .contains(new OfTlsFiles(crt, key, ca));
        assertThat(parsed().settings().tls())
                .as("none: plain TCP (the default)")
                .isEmpty();
    }

    @Test
    void oneWithoutTheOthersIsABadCommandLine() {
        assertThatThrownBy(() -> parsed("--tls-certificate", "a.crt").settings())
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--tls-certificate, --tls-key and --tls-ca go together");
    }
}
