package io.portmesh.loadtest.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.loadtest.KernelUdp;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.sim.FrameStream;
import io.portmesh.sim.PseudoWire;
import io.portmesh.sim.SimulatedVm;
import io.portmesh.sim.StreamStats;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The demo's switch-VM failover (docs/architecture.md section 7.2). A fourth host runs two switch VMs, slot a and
 * slot b, each an agent in its own JVM ({@link AgentProcess}, so that it can die by SIGKILL) with its own VXLAN
 * address on the demo's VXLAN port, both with their trunk down at start (the controller brings the active one's up);
 * the VM's port group is wired to both trunks. Slot a starts first and slot b once the VM is bound: the standby's
 * endpoint reaches the switches the host has ports in when it first connects, and a port bound later in a switch the
 * host had no port in gets no copies to the standby (today). The VM and a peer VM on esx-2, in the same logical switch,
 * exchange numbered frames at the demo's {@code --move-rate} each way through three phases: slot a's agent killed with
 * SIGKILL (the controller fails over to slot b by itself), slot a's agent started again (it rejoins as the standby),
 * and a planned failover back through the API. Each phase reports its frames and the controller's own phase timings
 * from {@code GET /metrics}. A failure becomes a FAIL line rather than an exception, so that the demo still ends with
 * its report; every wait is bounded.
 */
final class DemoFailover {
    private static final int VXLAN_PORT = 4789;
    private static final Duration READY = Duration.ofSeconds(60);
    private static final Duration TAKEOVER = Duration.ofSeconds(15);
    private static final Duration REJOIN = Duration.ofSeconds(60);
    private static final Duration METRICS = Duration.ofSeconds(10);
    private static final Duration POLL_FAST = Duration.ofMillis(10);
    private static final Duration POLL = Duration.ofMillis(100);

    private final RestClient api;
    private final List<RestClient> nodeApis;
    private final List<String> controllers;
    private final DemoReport report;
    private final DemoSecurity security;
    private final int rate;
    private final Path logs;
    private final List<AgentProcess> processes;
    private final List<PseudoWire> wires;
    private final List<SimulatedVm> vms;
    private int bindings;

    /** The agent processes, wires and VMs it starts go to these lists; the demo closes them at the end. */
    DemoFailover(
            List<NodeProcess> nodes,
            DemoSecurity security,
            DemoReport report,
            int rate,
            Path logs,
            List<AgentProcess> processes,
            List<PseudoWire> wires,
            List<SimulatedVm> vms) {
        this.api = nodes.get(0).api();
        this.nodeApis = nodes.stream().map(NodeProcess::api).toList();
        this.controllers =
                nodes.stream().map(n -> "127.0.0.1:" + n.openflowPort).toList();
        this.report = report;
        this.security = security;
        this.rate = rate;
        this.logs = logs;
        this.processes = processes;
        this.wires = wires;
        this.vms = vms;
    }

    /** Bindings it made with {@code ?wait=realized} (realized). */
    int bindings() {
        return bindings;
    }

    /** Its agent processes still running (each holds one OpenFlow session per node). */
    int agentsRunning() {
        return (int) processes.stream().filter(AgentProcess::isAlive).count();
    }

    /**
     * @param host the pair's host name; its slots get {@code tepNet}.14 (a, the registered one) and .15 (b)
     * @param sw the logical switch of both VMs
     * @param peerHost the peer VM's host, whose agent's trunk is {@code peerTrunk}
     */
    void run(String host, String tepNet, String sw, String peerHost, InetSocketAddress peerTrunk) {
        try {
            scenario(host, tepNet, sw, peerHost, peerTrunk);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            report.check("switch-VM failover on " + host + ": stopped by " + e, false);
        }
    }

    private void scenario(String host, String tepNet, String sw, String peerHost, InetSocketAddress peerTrunk)
            throws Exception {
        long t = System.nanoTime();
        String tepA = tepNet + 14;
        String tepB = tepNet + 15;
        api.expectOk(api.post("/v1/hosts", Map.of("name", host, "tunnelIp", tepA)), "create host " + host);
        InetSocketAddress trunkA = AgentProcess.freeTrunkAddress();
        InetSocketAddress trunkB = AgentProcess.freeTrunkAddress();
        // slot a first, so that it is the one the controller makes active (a slot that is not connected within the
        // new Host entity's start grace is taken for lost, and the other one, if connected, takes over)
        AgentProcess slotA = AgentProcess.launch(
                host, "a", tepA, VXLAN_PORT, trunkA, controllers, false, tepB, logs, security.agent(host, "a"));
        processes.add(slotA);
        HostSlots.Polled ready = HostSlots.await(
                api, host, h -> HostSlots.activeAndUp(h, "a") && HostSlots.slot(h, "a", "up", true), READY, POLL);
        if (!ready.done()) {
            report.check(
                    "switch-VM failover: " + host + "'s slot a not up within 60 s: " + HostSlots.describe(ready.host()),
                    false);
            return;
        }
        // the VMs, then slot b (see the class comment)
        PseudoWire wire =
                PseudoWire.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), List.of(trunkA, trunkB));
        wires.add(wire); // the VM's port group, wired into both switch VMs
        SimulatedVm x = vm(sw, "52:54:00:00:01:07", "10.0.0.7", host, wire, null);
        SimulatedVm y = vm(sw, "52:54:00:00:01:08", "10.0.0.8", peerHost, null, peerTrunk);
        processes.add(AgentProcess.launch(
                host, "b", tepB, VXLAN_PORT, trunkB, controllers, false, tepA, logs, security.agent(host, "b")));
        ready = HostSlots.await(api, host, DemoFailover::aActiveBStandby, READY, POLL);
        report.step(
                String.format(
                        "%s: switch VMs a (VXLAN %s) and b (%s), each an agent in its own JVM, trunks down at start, "
                                + "b started after vm7 was bound there (peer vm8 on %s, %s); %s",
                        host, tepA, tepB, peerHost, sw, HostSlots.describe(ready.host())),
                t);
        if (!ready.done()) {
            report.check("switch-VM failover: " + host + "'s slots do not both hold the plan in 60 s", false);
            return;
        }
        x.sendGratuitousArp(); // the port groups learn where the VMs are
        y.sendGratuitousArp();
        Thread.sleep(300);
        long window = Math.max(1, rate / 10); // the frames of the 100 ms loss window the failover may cost

        // 1. the active switch VM dies
        FailoverMetrics before = FailoverMetrics.read(nodeApis);
        long drops = KernelUdp.receiveBufferErrors();
        StreamStats out;
        StreamStats in;
        HostSlots.Polled up;
        long killed;
        try (FrameStream toY = DemoMain.stream(x, y, rate);
                FrameStream toX = DemoMain.stream(y, x, rate)) {
            Thread.sleep(500);
            killed = System.nanoTime();
            slotA.kill();
            up = HostSlots.await(api, host, h -> HostSlots.activeAndUp(h, "b"), TAKEOVER, POLL_FAST);
            Thread.sleep(1_000); // traffic goes on through slot b
            toY.stop(); // both stop before either is drained: a drain with loss takes its full wait
            toX.stop();
            out = DemoMain.finish(toY);
            in = DemoMain.finish(toX);
        }
        FailoverMetrics m = FailoverMetrics.awaitPhase(nodeApis, before, "repointed", METRICS)
                .since(before);
        report.check(
                String.format(
                        "switch-VM failover, unplanned: slot a's agent killed (SIGKILL) -> %s; %s (target: lost <= %d "
                                + "each way, the 100 ms window)",
                        up.done()
                                ? String.format(
                                        "slot b active, its trunk up after %.0f ms (GET /v1/hosts/%s polled every 10 ms)",
                                        (up.atNanos() - killed) / 1e6, host)
                                : "slot b NOT active with its trunk up within 15 s: " + HostSlots.describe(up.host()),
                        frames(out, in),
                        window),
                up.done() && out.lost() <= window && in.lost() <= window && out.received() > 0 && in.received() > 0);
        report.line(String.format(
                "  controller (GET /metrics, summed over the nodes): %s; kernel UDP receive-buffer drops %d",
                m.describe(), KernelUdp.receiveBufferErrors() - drops));
        if (!up.done()) {
            return;
        }

        // 2. the dead switch VM comes back: as the standby
        t = System.nanoTime();
        processes.add(AgentProcess.launch(
                host, "a", tepA, VXLAN_PORT, trunkA, controllers, false, tepB, logs, security.agent(host, "a")));
        HostSlots.Polled back = HostSlots.await(
                api, host, h -> HostSlots.activeAndUp(h, "b") && HostSlots.readyStandby(h, "a"), REJOIN, POLL);
        report.check(
                back.done()
                        ? String.format(
                                "switch-VM failover: slot a's agent started again, rejoined as the standby (holds the "
                                        + "plan, trunk down) %.1f s after its start",
                                (back.atNanos() - t) / 1e9)
                        : "switch-VM failover: slot a's agent started again, NOT a ready standby within 60 s: "
                                + HostSlots.describe(back.host()),
                back.done());
        if (!back.done()) {
            return;
        }

        // 3. a planned switch back to slot a, make-before-break
        before = FailoverMetrics.read(nodeApis);
        drops = KernelUdp.receiveBufferErrors();
        RestClient.Response answer;
        long asked;
        long answered;
        try (FrameStream toY = DemoMain.stream(x, y, rate);
                FrameStream toX = DemoMain.stream(y, x, rate)) {
            Thread.sleep(500);
            asked = System.nanoTime();
            answer = api.post("/v1/hosts/" + host + "/failover", Map.of());
            answered = System.nanoTime();
            Thread.sleep(1_000);
            toY.stop(); // both stop before either is drained: a drain with loss takes its full wait
            toX.stop();
            out = DemoMain.finish(toY);
            in = DemoMain.finish(toX);
        }
        m = FailoverMetrics.awaitPhase(nodeApis, before, "repointed", METRICS).since(before);
        boolean switched = answer.ok() && HostSlots.activeAndUp(answer.body(), "a");
        report.check(
                String.format(
                        "switch-VM failover, planned back to slot a: POST /v1/hosts/%s/failover answered %d in %.0f ms"
                                + "%s; %s (target: lost 0)",
                        host,
                        answer.status(),
                        (answered - asked) / 1e6,
                        switched ? ", slot a active and up" : ": " + answer.body(),
                        frames(out, in)),
                switched && out.lost() == 0 && in.lost() == 0 && out.received() > 0 && in.received() > 0);
        report.line(String.format(
                "  controller (GET /metrics, summed over the nodes): %s; kernel UDP receive-buffer drops %d",
                m.describe(), KernelUdp.receiveBufferErrors() - drops));
    }

    private static boolean aActiveBStandby(JsonNode h) {
        return HostSlots.activeAndUp(h, "a") && HostSlots.slot(h, "a", "up", true) && HostSlots.readyStandby(h, "b");
    }

    /** A port bound with {@code ?wait=realized} on {@code host} and its VM: on {@code wire}, or on a wire of its own to {@code trunk}. */
    private SimulatedVm vm(String sw, String mac, String ip, String host, PseudoWire wire, InetSocketAddress trunk)
            throws Exception {
        JsonNode port = api.expectOk(
                api.post("/v1/switches/" + sw + "/ports", Map.of("mac", mac, "ips", List.of(ip))), "create port");
        long t = System.nanoTime();
        JsonNode b = api.expectOk(
                api.put("/v1/ports/" + port.path("id").asText() + "/binding?wait=realized", Map.of("host", host)),
                "bind port");
        if (b.path("realization").path("realized").asBoolean(true)) {
            report.realized((System.nanoTime() - t) / 1_000_000.0);
            bindings++;
        }
        int vlan = b.path("vlan").asInt();
        SimulatedVm vm = wire != null
                ? new SimulatedVm(Mac.parse(mac), Ipv4.parse(ip), vlan, wire)
                : new SimulatedVm(Mac.parse(mac), Ipv4.parse(ip), vlan, trunk);
        vms.add(vm);
        return vm;
    }

    private static String frames(StreamStats out, StreamStats in) {
        return String.format(
                "vm7->vm8 sent %,d lost %d duplicates %d, vm8->vm7 sent %,d lost %d duplicates %d",
                out.sent(), out.lost(), out.duplicates(), in.sent(), in.lost(), in.duplicates());
    }
}
