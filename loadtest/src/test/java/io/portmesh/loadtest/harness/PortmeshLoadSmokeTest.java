package io.portmesh.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.persistence.testkit.CassandraExtension;
import io.portmesh.persistence.testkit.TestCassandra;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: the {@code smoke} scenario (loadtest/scenarios/smoke.conf) run through the runner's API on the tests'
 * Cassandra: three controller JVMs, four hosts, create+bind load and numbered traffic, one node killed and restarted.
 * The report must show no violation, every SLO met, and its figures.
 */
@ExtendWith(CassandraExtension.class)
class PortmeshLoadSmokeTest {
    @Test
    void smokeRunsCleanAndReportsItsFigures(
            TestCassandra cassandra, @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path out) throws Exception {
        Scenario s = Scenario.read(Path.of("scenarios", "smoke.conf")).withCassandra(cassandra.contactPointString());
        RunReport r = new HarnessRun(s, out, System.out).run();

        assertThat(r.error).as("the run itself").isNull();
        assertThat(r.violations).as("violations").isEmpty();
        assertThat(r.slos)
                .as("SLOs")
                .isNotEmpty()
                .allSatisfy(slo -> assertThat(slo.met())
                        .as("%s, was %s", slo.bound(), slo.value())
                        .isTrue());
        assertThat(r.figures)
                .containsKeys(
                        "ops.acknowledged",
                        "latency.bind.p99",
                        "latency.create.p99",
                        "throughput.acknowledged",
                        "frames.sent",
                        "frames.lost",
                        "faults.injected",
                        "node-kill.remastered.max",
                        "violations");
        assertThat(r.figures.get("ops.acknowledged").value()).isPositive();
        assertThat(r.figures.get("frames.sent").value()).isPositive();
        assertThat(r.figures.get("faults.injected").value()).isEqualTo(1);
        assertThat(r.figures.get("checked.acknowledged-writes").value()).isPositive();
        assertThat(r.exitStatus()).isZero();
        String json = Files.readString(out.resolve("report.json"));
        assertThat(json).contains("\"seed\" : 19", "\"commit\"", "\"machine\"", "\"unit\" : \"ms\"");
    }
}
