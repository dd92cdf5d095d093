package io.portmesh.openflow;

import static io.portmesh.openflow.TestConfigs.loopback;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFMessage;

/**
 * Flow-mod throughput from a controller end to a switch end over loopback: batches of 1,000 with one flush
 * each, then a barrier. Prints the rate; run with {@code -Pbenchmark}. Asserts only that everything arrived.
 */
@Tag("benchmark")
class OfThroughputBenchmark {
    private static final int TOTAL = 400_000;
    private static final int BATCH = 1_000;

    @Test
    void flowModsPerSecond() throws Exception {
        OfConfig config = TestConfigs.relaxed().withRequestTimeout(Duration.ofSeconds(120));
        List<List<OFMessage>> batches = new ArrayList<>();
        for (int b = 0; b < TOTAL / BATCH; b++) {
            List<OFMessage> batch = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++) {
                batch.add(FlowMods.bulk(b * BATCH + i));
            }
            batches.add(batch);
        }
        FakeSwitch fake = new FakeSwitch(1, "bench", 2);
        OfMessageListener agent = new OfMessageListener() {
            @Override
            public void onConnected(OfConnection connection) {}

            @Override
            public void onMessage(OfConnection connection, OFMessage message) {
                fake.accept(connection, message);
            }

            @Override
            public void onDisconnected(OfConnection connection, Throwable cause) {}
        };
        RecordingListener controller = new RecordingListener();
        try (OfServer server = OfServer.builder(OfRole.CONTROLLER, controller)
                        .config(config)
                        .bind(loopback(0));
                OfClient client =
                        OfClient.builder(OfRole.SWITCH, agent).config(config).connect(loopback(server.port()))) {
            OfConnection c = controller.awaitConnected();
            assertThat(client.isConnected()).isTrue();
            c.barrier().get(10, TimeUnit.SECONDS); // warm-up of the path
            var os = (com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            long cpuStart = os.getProcessCpuTime();
            long start = System.nanoTime();
            for (List<OFMessage> batch : batches) {
                for (int waits = 0; !c.isWritable() && waits < 1_000_000; waits++) {
                    LockSupport.parkNanos(20_000); // back-pressure, without burning the CPU we measure
                }
                c.send(batch);
            }
            c.barrier().get(120, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpuMicrosEach = (os.getProcessCpuTime() - cpuStart) / 1e3 / TOTAL;
            // CPU per flow-mod (both ends, encode + decode + dispatch) is the figure that survives a busy machine
            System.out.printf(
                    "%d flow-mods in %.2f s: %.0f flow-mods/s, %.1f us CPU each (both ends)%n",
                    TOTAL, seconds, TOTAL / seconds, cpuMicrosEach);
            assertThat(fake.flowMods.get()).isEqualTo(TOTAL);
        }
    }
}
