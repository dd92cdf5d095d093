package io.portmesh.loadtest.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.agent.io.TrunkPort;
import io.portmesh.model.flow.DatapathPorts;
import io.portmesh.sim.FrameStream;
import io.portmesh.sim.PseudoWire;
import io.portmesh.sim.SimulatedVm;
import io.portmesh.sim.StreamStats;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The demo's live move (docs/architecture.md section 7.1) under traffic: two VMs exchange numbered frames while one
 * moves to another host as in a vMotion. The move is started with {@code ?wait=realized} (the destination and the
 * peers are ready); the inventory's part, configuring the VM's port group on the destination with the VLAN the move
 * answered, is the destination trunk's {@code bindVlan} (the agents run in the demo's JVM); then the VM runs there
 * and its RARP activates the move. Every sequence number is counted.
 */
final class DemoLiveMove {
    private final RestClient api;
    private final DemoReport report;
    private final int moveRate;
    /** Where the destination's wire goes, for the demo to close. */
    private final List<PseudoWire> wires;

    DemoLiveMove(RestClient api, DemoReport report, int moveRate, List<PseudoWire> wires) {
        this.api = api;
        this.report = report;
        this.moveRate = moveRate;
        this.wires = wires;
    }

    /**
     * Moves {@code x} (vm5, bound as {@code port} on esx-1) to {@code dest} (esx-3, whose agent is {@code destAgent})
     * while it and {@code y} (vm6 on esx-2) exchange numbered frames at the move rate each way, and reports it.
     */
    void run(SimulatedVm x, String port, SimulatedVm y, String dest, DatapathAgent destAgent) throws Exception {
        // the destination's port group: a wire of its own to esx-3's trunk
        PseudoWire there = PseudoWire.open(destAgent.trunkAddress());
        wires.add(there);
        String label =
                String.format("live move vm5 esx-1 -> esx-3 (peer vm6 on esx-2, %d frames/s each way)", moveRate);
        long startNanos;
        long readyNanos;
        long movedNanos;
        Instant movedAt;
        long completedNanos;
        JsonNode started;
        JsonNode done = null;
        StreamStats there5;
        StreamStats back6;
        try (FrameStream toY = DemoMain.stream(x, y, moveRate);
                FrameStream toX = DemoMain.stream(y, x, moveRate)) {
            Thread.sleep(500);
            startNanos = System.nanoTime();
            started = api.expectOk(
                    api.post("/v1/ports/" + port + "/migration?wait=realized", Map.of("to", dest)), "start move");
            readyNanos = System.nanoTime();
            if (!"MIGRATING".equals(started.path("state").asText())
                    || !started.path("realization").path("realized").asBoolean()) {
                throw new IllegalStateException("the move did not get ready: " + started);
            }
            int toVlan = started.path("toVlan").asInt();
            ((TrunkPort) destAgent.ports().get(DatapathPorts.TRUNK)).bindVlan(toVlan, there.localAddress());
            Thread.sleep(300); // vMotion's pre-copy: every frame for vm5 goes to both hosts
            movedNanos = System.nanoTime();
            movedAt = Instant.now();
            x.moveTo(there, toVlan, true);
            long deadline = movedNanos + TimeUnit.SECONDS.toNanos(20);
            completedNanos = 0;
            while (System.nanoTime() < deadline) {
                JsonNode m = api.expectOk(api.get("/v1/ports/" + port + "/migration"), "get move");
                String state = m.path("state").asText();
                if (!"MIGRATING".equals(state) && !"ACTIVATED".equals(state)) {
                    done = m;
                    completedNanos = System.nanoTime();
                    break;
                }
                Thread.sleep(10);
            }
            Thread.sleep(300); // and traffic on after the move
            there5 = DemoMain.finish(toY);
            back6 = DemoMain.finish(toX);
        }
        boolean completed = done != null
                && "COMPLETED".equals(done.path("state").asText())
                && "RARP".equals(done.path("activatedBy").asText());
        report.check(
                String.format(
                        "%s: %s, lost vm5->vm6 %d/%d, vm6->vm5 %d/%d, duplicates %d/%d",
                        label,
                        done == null
                                ? "not ended in 20 s"
                                : done.path("state").asText() + " by "
                                        + done.path("activatedBy").asText(),
                        there5.lost(),
                        there5.sent(),
                        back6.lost(),
                        back6.sent(),
                        there5.duplicates(),
                        back6.duplicates()),
                completed && there5.lost() == 0 && back6.lost() == 0 && there5.sent() > 0 && back6.sent() > 0);
        if (done != null) {
            report.line(String.format(
                    "move timings: start -> destination ready %.0f ms (POST ?wait=realized), RARP -> activated %d ms "
                            + "(activatedAt vs the demo's clock), activated -> COMPLETED %d ms (activatedAt -> endedAt), "
                            + "RARP -> COMPLETED seen %.0f ms (10 ms polls)",
                    (readyNanos - startNanos) / 1e6,
                    millisBetween(movedAt, done.path("activatedAt")),
                    millisBetween(done.path("activatedAt"), done.path("endedAt")),
                    (completedNanos - movedNanos) / 1e6));
        }
    }

    private static long millisBetween(JsonNode from, JsonNode to) {
        return from.isTextual() ? millisBetween(Instant.parse(from.asText()), to) : -1;
    }

    private static long millisBetween(Instant from, JsonNode to) {
        return to.isTextual()
                ? Duration.between(from, Instant.parse(to.asText())).toMillis()
                : -1;
    }
}
