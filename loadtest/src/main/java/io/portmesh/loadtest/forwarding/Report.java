package io.portmesh.loadtest.forwarding;

import java.io.PrintStream;
import java.util.List;
import java.util.Optional;

/** The forwarding benchmark's figures as a plain-text table, then the ratio agent/relay per case. */
final class Report {
    private Report() {}

    static void print(
            PrintStream out,
            List<ForwardingBenchmark.Case> cases,
            String commandLine,
            String machine,
            String loadBefore,
            String loadAfter,
            double rate) {
        out.println("== forwarding benchmark: one datapath agent vs a bare Java UDP relay (loopback, one JVM)");
        out.println("command: " + commandLine);
        out.println("machine: " + machine);
        out.println("load average before " + loadBefore + ", after " + loadAfter);
        out.println("offered: " + (rate > 0 ? String.format("%,.0f frames/s", rate) : "flat out (one sender thread)"));
        out.println("frame = Ethernet frame as sent (tagged on the trunk, inner frame in VXLAN), no FCS");
        out.println("each row: the median of " + cases.get(0).rounds().size()
                + " blasts by delivered frames/s; min..max over the blasts beside it");
        out.println();
        out.printf(
                "%-13s %-6s %6s %12s %12s %12s %12s %21s %8s %7s %9s%n",
                "case",
                "via",
                "frame",
                "sent",
                "offered/s",
                "read by fwd",
                "delivered/s",
                "min..max delivered/s",
                "Gbit/s",
                "loss",
                "lost@fwd");
        for (ForwardingBenchmark.Case c : cases) {
            Trial.Result r = c.median();
            out.printf(
                    "%-13s %-6s %6d %,12d %,12.0f %,12d %,12.0f %10s..%-10s %8.3f %6.1f%% %8.1f%%%n",
                    c.direction().label,
                    c.forwarder(),
                    c.frameSize(),
                    r.sent(),
                    r.offeredPerSecond(),
                    r.forwarderIn(),
                    r.deliveredPerSecond(),
                    String.format("%,.0f", c.minDelivered()),
                    String.format("%,.0f", c.maxDelivered()),
                    r.deliveredGbits(),
                    100 * r.loss(),
                    100 * r.lossBeforeForwarder());
        }
        out.println();
        out.println(
                "read by fwd: datagrams the forwarder took off its socket (agent: ingress port rx; relay: relayed)");
        out.println("lost@fwd: sent but never read by the forwarder (its socket's receive queue overflowed)");
        out.println();
        out.println("ratio agent/relay, median delivered frames/s:");
        for (ForwardingBenchmark.Case agent : cases) {
            if (agent.forwarder().equals("agent")) {
                relayOf(cases, agent)
                        .ifPresent(relay -> out.printf(
                                "  %-13s %5d B  %.2f%n",
                                agent.direction().label,
                                agent.frameSize(),
                                agent.median().deliveredPerSecond()
                                        / Math.max(1e-9, relay.median().deliveredPerSecond())));
            }
        }
    }

    private static Optional<ForwardingBenchmark.Case> relayOf(
            List<ForwardingBenchmark.Case> cases, ForwardingBenchmark.Case agent) {
        return cases.stream()
                .filter(c -> c.forwarder().equals("relay")
                        && c.direction() == agent.direction()
                        && c.frameSize() == agent.frameSize())
                .findFirst();
    }
}
