package io.portmesh.loadtest.move;

import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.agent.io.TrunkPort;
import io.portmesh.loadtest.bind.Sleep;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.model.flow.DatapathPorts;
import io.portmesh.sharding.service.BindingResult;
import io.portmesh.sharding.service.MigrationInfo;
import io.portmesh.sharding.service.NetworkService;
import io.portmesh.sharding.service.PortInfo;
import io.portmesh.sim.PseudoWire;
import io.portmesh.sim.SimulatedVm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@link MoveBenchmark}'s hosts (their agents' trunks and wires, the API of every node, asks round-robin), the VMs on
 * them, and how the benchmark moves them: all at once, each as an orchestrator would (start with wait=realized, the
 * destination's port group, the VM resumes there with its RARP, poll until the move ended), bounded in time.
 */
record MoveFabric(
        List<NetworkService> services,
        List<HostId> hosts,
        List<DatapathAgent> agents,
        List<PseudoWire> wires,
        int moveTimeoutSeconds) {
    private static final Duration POLL = Duration.ofMillis(250);
    private static final Duration ASK = Duration.ofSeconds(30);

    /** One simulated VM on a host's wire, bound to a port. */
    static final class Vm {
        final String port;
        final SimulatedVm sim;
        int host;

        Vm(String port, SimulatedVm sim, int host) {
            this.port = port;
            this.sim = sim;
            this.host = host;
        }
    }

    /** The hosts, their agents' trunks and wires, and the API of every node (asks go round-robin). */
    NetworkService api(int i) {
        return services.get(Math.floorMod(i, services.size()));
    }

    /** The inventory configures the port group of {@code vlan} on host {@code h}. */
    void portGroup(int h, int vlan) {
        ((TrunkPort) agents.get(h).ports().get(DatapathPorts.TRUNK))
                .bindVlan(vlan, wires.get(h).localAddress());
    }

    /** A port bound (realized) on host {@code h} and its VM on that host's wire. */
    Vm vm(SwitchId sw, int kind, int i, int h) throws Exception {
        Mac mac = Mac.parse(
                String.format("52:54:%02x:%02x:%02x:%02x", kind, (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF));
        Ipv4 ip = Ipv4.parse(String.format("10.%d.%d.%d", kind, (i >> 8) & 0xFF, i & 0xFF));
        PortInfo p = await(api(i).createPort(sw, mac, List.of(ip), Optional.empty()));
        BindingResult b = await(api(i).bindPort(PortId.of(p.id()), hosts.get(h), true));
        if (!b.realization().realized()) {
            throw new IllegalStateException(
                    "binding of " + mac + " on " + hosts.get(h) + " not realized: " + b.realization());
        }
        portGroup(h, b.vlan());
        return new Vm(p.id(), new SimulatedVm(mac, ip, b.vlan(), wires.get(h)), h);
    }

    /**
     * Moves every VM of {@code vms} at once to another random host, one thread each: startMigration(wait=realized),
     * the destination's port group, the VM resumes there with its RARP, then polls until the move has ended.
     */
    List<MoveReport.MoveResult> moveAll(List<Vm> vms, Random random, long runDeadline) throws InterruptedException {
        List<MoveReport.MoveResult> results = new ArrayList<>();
        List<Integer> targets = new ArrayList<>();
        for (Vm v : vms) {
            results.add(new MoveReport.MoveResult());
            targets.add(other(random, v.host));
        }
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(vms.size());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < vms.size(); i++) {
            Vm v = vms.get(i);
            MoveReport.MoveResult r = results.get(i);
            int to = targets.get(i);
            NetworkService api = api(i);
            Thread t = new Thread(
                    () -> {
                        try {
                            go.await();
                            moveOne(api, v, to, r, runDeadline);
                        } catch (Exception | AssertionError e) {
                            r.failure = e.toString();
                        } finally {
                            done.countDown();
                        }
                    },
                    "bench-move-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        go.countDown();
        long waitMs = Math.min(
                TimeUnit.SECONDS.toMillis(moveTimeoutSeconds) + 10_000,
                TimeUnit.NANOSECONDS.toMillis(runDeadline - System.nanoTime()));
        if (!done.await(Math.max(0, waitMs), TimeUnit.MILLISECONDS)) {
            threads.forEach(Thread::interrupt);
            MoveBenchmark.progress(done.getCount() + " moves still running after " + waitMs + " ms: counted as failed");
        }
        return results;
    }

    private void moveOne(NetworkService api, Vm v, int to, MoveReport.MoveResult r, long runDeadline) throws Exception {
        r.fromHost = v.host;
        r.toHost = to;
        long deadline = Math.min(runDeadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(moveTimeoutSeconds));
        long t0 = System.nanoTime();
        MigrationInfo m = api.startMigration(PortId.of(v.port), hosts.get(to), true)
                .toCompletableFuture()
                .get(remainingMs(deadline), TimeUnit.MILLISECONDS);
        r.readyNanos = System.nanoTime() - t0;
        r.start = m;
        if (!MigrationInfo.MIGRATING.equals(m.state()) || !m.realization().realized()) {
            r.failure = "startMigration answered " + m;
            return;
        }
        portGroup(to, m.toVlan());
        r.movedWallMs = System.currentTimeMillis();
        v.sim.moveTo(wires.get(to), m.toVlan(), true);
        v.host = to;
        MigrationInfo last = null;
        while (System.nanoTime() - deadline < 0) {
            last = api.getMigration(PortId.of(v.port))
                    .toCompletableFuture()
                    .get(Math.max(1, remainingMs(deadline)), TimeUnit.MILLISECONDS);
            if (MigrationInfo.COMPLETED.equals(last.state())
                    || MigrationInfo.ROLLED_BACK.equals(last.state())
                    || MigrationInfo.CANCELLED.equals(last.state())) {
                r.end = last;
                if (!r.completed()) {
                    r.failure = "ended " + last.state();
                }
                return;
            }
            Sleep.millis(POLL.toMillis());
        }
        r.end = null;
        r.failure = "not ended within " + moveTimeoutSeconds + " s: " + last;
    }

    private int other(Random random, int h) {
        int o = random.nextInt(hosts.size() - 1);
        return o >= h ? o + 1 : o;
    }

    private static long remainingMs(long deadlineNanos) {
        return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(ASK.toSeconds(), TimeUnit.SECONDS);
    }
}
