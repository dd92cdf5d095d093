package io.portmesh.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.cluster.ChildJvm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ChildProcessesTest {
    // Only in a JVM of its own: stopAll in the test's JVM would stop the suite's shared Cassandra too.

    /**
     * A run in a JVM of its own: starts a long {@code sleep} as the process it must not leave behind, registers its
     * stop, says the sleep's pid and waits to be stopped from outside.
     */
    public static final class SignalledRun {
        public static void main(String[] args) throws Exception {
            Process child = new ProcessBuilder("sleep", "300").start();
            ChildProcesses.onSignal("test-run", () -> System.out.println("stopping"), Duration.ofSeconds(5));
            System.out.println("child " + child.pid());
            System.out.flush();
            Thread.sleep(TimeUnit.SECONDS.toMillis(120));
        }
    }

    @Test
    void aRunStoppedBySigtermStopsTheProcessesItStarted() throws Exception {
        Process run = new ProcessBuilder(ChildJvm.command(List.of("-Xmx64m"), SignalledRun.class.getName(), List.of()))
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(run.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine(); // bounded by the run's own 120 s sleep, and by the kill in finally
            assertThat(line).as("the run's first line").startsWith("child ");
            long childPid = Long.parseLong(line.substring("child ".length()).trim());
            Optional<ProcessHandle> child = ProcessHandle.of(childPid);
            assertThat(child).as("the run's child %d runs", childPid).isPresent();

            // SIGTERM, as an operator or a CI timeout stops a run (through the handle: Process.destroy would also
            // close the pipes this test reads the run's last words from)
            run.toHandle().destroy();

            // its output to the end (read before waitFor: an exited process's pipe may be closed under the reader);
            // bounded by the run's exit, at the latest its own 120 s sleep's end
            List<String> rest = out.lines().toList();
            assertThat(run.waitFor(30, TimeUnit.SECONDS)).as("the run exits").isTrue();
            assertThat(rest).as("its stop ran").contains("stopping");
            assertThat(child.get().onExit().get(10, TimeUnit.SECONDS).isAlive())
                    .as("the run's child %d is gone with it", childPid)
                    .isFalse();
        } finally {
            run.destroyForcibly();
        }
    }
}
