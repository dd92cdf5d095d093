package io.portmesh.loadtest.forwarding;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * Frames per second through one datapath agent, trunk to VXLAN and VXLAN to trunk, beside a bare Java UDP relay
 * measured in the same run the same way: one sender thread blasts one datagram over and over (flat out or at an
 * offered rate), one counter thread counts what arrives at the far end. The relay gets exactly the datagrams the
 * agent gets and forwards them unchanged, so the ratio agent/relay is the cost of the agent's pipeline over the
 * cheapest possible receive-and-send loop in Java. Agent and relay take turns, blast by blast, so that a change in
 * what else the machine is doing hits both alike; each case reports the median blast.
 *
 * <p>Everything runs over loopback in this JVM: on a machine with few cores the sender, the forwarder and the counter
 * compete for them, in both measurements alike.
 */
@CommandLine.Command(
        name = "forwarding-benchmark",
        mixinStandardHelpOptions = true,
        description = "Frames/s through a datapath agent (trunk<->VXLAN) beside a bare Java UDP relay.")
public final class ForwardingBenchmark implements Callable<Integer> {
    @CommandLine.Option(
            names = "--sizes",
            split = ",",
            defaultValue = "64,1500",
            description = "Ethernet frame sizes in bytes (default: ${DEFAULT-VALUE})")
    List<Integer> sizes;

    @CommandLine.Option(
            names = "--seconds",
            defaultValue = "2",
            description = "one measured blast, seconds (default: ${DEFAULT-VALUE})")
    double seconds;

    @CommandLine.Option(
            names = "--rounds",
            defaultValue = "3",
            description = "measured blasts per case, agent and relay taking turns; the median is reported "
                    + "(default: ${DEFAULT-VALUE})")
    int rounds;

    @CommandLine.Option(
            names = "--warmup-seconds",
            defaultValue = "1",
            description = "uncounted blast before each case, seconds (default: ${DEFAULT-VALUE})")
    double warmupSeconds;

    @CommandLine.Option(
            names = "--frames",
            defaultValue = "20000000",
            description = "at most this many frames per blast (default: ${DEFAULT-VALUE})")
    long frames;

    @CommandLine.Option(
            names = "--rate",
            defaultValue = "0",
            description = "offered frames/s; 0 = flat out (default: ${DEFAULT-VALUE})")
    double rate;

    private String[] args = new String[0];

    enum Direction {
        TRUNK_TO_VXLAN("trunk->vxlan"),
        VXLAN_TO_TRUNK("vxlan->trunk");

        final String label;

        Direction(String label) {
            this.label = label;
        }
    }

    /** One forwarder in one direction at one frame size: every measured blast, in order. */
    record Case(Direction direction, String forwarder, int frameSize, List<Trial.Result> rounds) {
        Trial.Result median() {
            List<Trial.Result> sorted = rounds.stream()
                    .sorted(Comparator.comparingDouble(Trial.Result::deliveredPerSecond))
                    .toList();
            return sorted.get(sorted.size() / 2);
        }

        double minDelivered() {
            return rounds.stream()
                    .mapToDouble(Trial.Result::deliveredPerSecond)
                    .min()
                    .orElse(0);
        }

        double maxDelivered() {
            return rounds.stream()
                    .mapToDouble(Trial.Result::deliveredPerSecond)
                    .max()
                    .orElse(0);
        }
    }

    public static void main(String[] args) {
        ForwardingBenchmark b = new ForwardingBenchmark();
        b.args = args;
        System.exit(new CommandLine(b).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (seconds <= 0 || seconds > 60 || warmupSeconds < 0 || warmupSeconds > 60) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this), "--seconds and --warmup-seconds must be within 0..60");
        }
        if (rounds < 1 || rounds > 20 || frames < 1 || rate < 0) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this), "--rounds must be within 1..20, --frames >= 1, --rate >= 0");
        }
        String loadBefore = RunInfo.loadAverage();
        Trial trial = new Trial(warmupSeconds, seconds, frames, rate);
        List<Case> cases = new ArrayList<>();
        for (int size : sizes) {
            for (Direction d : Direction.values()) {
                cases.addAll(measure(trial, d, size));
                System.err.printf("done: %s %d B%n", d.label, size);
            }
        }
        Report.print(
                System.out,
                cases,
                RunInfo.commandLine(ForwardingBenchmark.class.getName(), args),
                RunInfo.machine(),
                loadBefore,
                RunInfo.loadAverage(),
                rate);
        return 0;
    }

    private List<Case> measure(Trial trial, Direction d, int size) throws IOException, InterruptedException {
        byte[] datagram = datagram(d, size);
        try (ForwardingPath agent = ForwardingPath.agent(d);
                ForwardingPath relay = ForwardingPath.relay()) {
            trial.warmUp(agent, datagram);
            trial.warmUp(relay, datagram);
            List<Trial.Result> agentRounds = new ArrayList<>();
            List<Trial.Result> relayRounds = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                agentRounds.add(trial.measure(agent, datagram, size));
                relayRounds.add(trial.measure(relay, datagram, size));
            }
            return List.of(
                    new Case(d, agent.forwarder, size, agentRounds), new Case(d, relay.forwarder, size, relayRounds));
        }
    }

    private static byte[] datagram(Direction d, int size) {
        return d == Direction.TRUNK_TO_VXLAN
                ? BenchFrames.tagged(BenchAgent.REMOTE_VM, BenchAgent.SENDER_VM, BenchAgent.SENDER_VLAN, size)
                : BenchFrames.vxlan(BenchAgent.VNI.value(), BenchAgent.RECEIVER_VM, BenchAgent.REMOTE_VM, size);
    }
}
