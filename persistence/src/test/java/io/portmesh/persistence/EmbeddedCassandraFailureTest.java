package io.portmesh.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's failure paths, with a stand-in for {@code java} so that no Cassandra starts. */
class EmbeddedCassandraFailureTest {

    @TempDir
    Path tmp;

    @Test
    void aChildThatExitsEarlyFailsStartWithTheTailOfItsLog() throws Exception {
        Path fakeJava = script("echo 'Error: pretend the JVM refused to start'\nexit 3\n");
        EmbeddedCassandraSettings settings = settings(fakeJava);

        try (EmbeddedCassandra cassandra = new EmbeddedCassandra(settings)) {
            assertThatThrownBy(cassandra::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("exited with code 3")
                    .hasMessageContaining("Error: pretend the JVM refused to start");
            assertThat(cassandra.owned()).isFalse();
        }
        // the child saw the generated configuration
        assertThat(settings.confDir().resolve("cassandra.yaml")).isRegularFile();
    }

    @Test
    void aChildThatNeverAnswersIsStoppedAfterTheTimeoutAndTheErrorCarriesItsLog() throws Exception {
        Path pidFile = tmp.resolve("child.pid");
        Path fakeJava = script("echo $$ > '" + pidFile + "'\necho 'still starting, honest'\nexec sleep 120\n");
        EmbeddedCassandraSettings settings = settings(fakeJava).withStartTimeout(Duration.ofSeconds(2));

        try (EmbeddedCassandra cassandra = new EmbeddedCassandra(settings)) {
            assertThatThrownBy(cassandra::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("did not answer CQL at 127.0.0.1:" + settings.nativePort())
                    .hasMessageContaining("still starting, honest");
        }
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    }

    private EmbeddedCassandraSettings settings(Path fakeJava) throws IOException {
        // both sockets open at once, so the two ports differ
        try (ServerSocket a = loopbackSocket();
                ServerSocket b = loopbackSocket()) {
            return settings(fakeJava, a.getLocalPort(), b.getLocalPort());
        }
    }

    private EmbeddedCassandraSettings settings(Path fakeJava, int nativePort, int storagePort) {
        return EmbeddedCassandraSettings.defaults()
                .withWorkDir(tmp.resolve("work"))
                .withNativePort(nativePort)
                .withStoragePort(storagePort)
                .withStopTimeout(Duration.ofSeconds(5))
                .withJavaExecutable(fakeJava);
    }

    private Path script(String body) throws IOException {
        Path script = tmp.resolve("fake-java");
        Files.writeString(script, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    private static ServerSocket loopbackSocket() throws IOException {
        return new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
    }
}
