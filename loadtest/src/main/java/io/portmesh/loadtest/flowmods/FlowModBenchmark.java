package io.portmesh.loadtest.flowmods;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.portmesh.agent.control.AgentSettings;
import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.loadtest.BenchTls;
import io.portmesh.loadtest.TlsCost;
import io.portmesh.loadtest.TlsMode;
import io.portmesh.loadtest.bind.Samples;
import io.portmesh.model.Mac;
import io.portmesh.model.flow.Action;
import io.portmesh.model.flow.Cookies;
import io.portmesh.model.flow.FlowCompiler;
import io.portmesh.model.flow.FlowEntry;
import io.portmesh.model.flow.FlowMatch;
import io.portmesh.model.flow.Instruction;
import io.portmesh.openflow.OfConfig;
import io.portmesh.openflow.OfConnection;
import io.portmesh.openflow.OfMessageListener;
import io.portmesh.openflow.OfRole;
import io.portmesh.openflow.OfServer;
import io.portmesh.openflow.plan.PlanToOpenFlow;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.projectfloodlight.openflow.protocol.OFMessage;

/**
 * Flow-mods applied per second by a real agent over real TCP: a controller-side server sends N distinct flow-mods
 * (the L2 flows of the Portmesh pipeline), then one barrier; the agent answers the barrier only after applying
 * everything before it.
 *
 * <p>Two figures per round, both printed:
 *
 * <ul>
 *   <li><b>agent apply rate</b>: N over the time from the first write to the barrier reply. The controller side
 *       serialises its flow-mods <em>before</em> this timer starts (this figure is about the agent: TCP receive,
 *       decode, validation, table insertion);
 *   <li><b>end to end</b>: N over (serialisation time + the time above), i.e. including the controller's encoding,
 *       done up front rather than overlapped with sending, so it is the conservative figure.
 * </ul>
 *
 * Building the plan's flow entries and Loxi objects is outside both timers, as before. Agent and controller share
 * this JVM; in production they do not, so after encoding the round the benchmark drops its Loxi objects and runs
 * {@code System.gc()} before the timer starts: the agent's own garbage and its growing tables are still collected
 * inside the timed window, the controller's message-building garbage is not.
 *
 * <p>The first {@code warmup} rounds run the same way but only JIT-compile the path: they are printed as warm-up, not
 * as figures. The agent's JVM settings matter as much as its code here (a growing G1 heap with a small young
 * generation spends a third of a round in GC); run it as an agent is meant to run, with a fixed heap and a large young
 * generation (README, "Running an agent"):
 *
 * <pre>java -Xms2g -Xmx2g -Xmn1g -cp "loadtest/target/classes:$(cat loadtest/target/classpath.txt)" io.portmesh.loadtest.flowmods.FlowModBenchmark [flows] [rounds] [warmup] [--tls off|on|both]</pre>
 *
 * <p>{@code --tls on} runs the connection over mutual TLS (certificates of a fresh CA in work/bench-flowmods/pki,
 * {@link BenchTls}); {@code --tls both} runs all rounds TLS off, then again with a new agent TLS on, in this JVM, and
 * ends with the cost of TLS on the median rates ({@link TlsCost}).
 */
public final class FlowModBenchmark {
    /** Flow-mods go out in buffers of about this size, as {@code OfConnection.send(List)} batches them. */
    private static final int BUFFER_BYTES = 64 * 1024;

    private FlowModBenchmark() {}

    /** The controller's serialisation of one round, into the buffers it then writes. */
    private static List<ByteBuf> encode(List<OFMessage> mods) {
        List<ByteBuf> out = new ArrayList<>();
        ByteBuf buf = Unpooled.directBuffer(BUFFER_BYTES + 1024);
        for (OFMessage m : mods) {
            m.writeTo(buf);
            if (buf.readableBytes() >= BUFFER_BYTES) {
                out.add(buf);
                buf = Unpooled.directBuffer(BUFFER_BYTES + 1024);
            }
        }
        out.add(buf);
        return out;
    }

    /** The median of the measured rounds' two rates (flow-mods/s). */
    record Rates(double apply, double endToEnd) {
        /** Both rates' cost of TLS, these being the rates with TLS off and {@code on} with it on. */
        List<TlsCost> costOfTls(Rates on) {
            return List.of(
                    TlsCost.rate("agent apply rate", "flow-mods/s", apply, on.apply),
                    TlsCost.rate("end to end incl. encoding", "flow-mods/s", endToEnd, on.endToEnd));
        }
    }

    /** The command line: the positional [flows] [rounds] [warmup], and --tls anywhere (default off). */
    record Options(int flows, int rounds, int warmup, TlsMode tls) {
        static Options parse(String[] args) {
            List<String> positional = new ArrayList<>();
            TlsMode tls = TlsMode.OFF;
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--tls")) {
                    if (i + 1 == args.length) {
                        throw new IllegalArgumentException("--tls needs a value: off, on or both");
                    }
                    tls = TlsMode.parse(args[++i]);
                } else if (args[i].startsWith("--tls=")) {
                    tls = TlsMode.parse(args[i].substring("--tls=".length()));
                } else {
                    positional.add(args[i]);
                }
            }
            if (positional.size() > 3) {
                throw new IllegalArgumentException("at most [flows] [rounds] [warmup] besides --tls: " + positional);
            }
            int flows = positional.size() > 0 ? positive(positional.get(0), "flows") : 100_000;
            int rounds = positional.size() > 1 ? positive(positional.get(1), "rounds") : 5;
            int warmup = positional.size() > 2 ? Integer.parseInt(positional.get(2)) : 1;
            if (warmup < 0) {
                throw new IllegalArgumentException("warmup must be 0 or more: " + warmup);
            }
            return new Options(flows, rounds, warmup, tls);
        }

        private static int positive(String value, String what) {
            int n = Integer.parseInt(value);
            if (n < 1) {
                throw new IllegalArgumentException(what + " must be 1 or more: " + n);
            }
            return n;
        }
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("FlowModBenchmark: " + e.getMessage());
            System.exit(2);
            return;
        }
        List<Rates> rates = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (boolean on : o.tls().runs()) {
            BenchTls tls = on ? BenchTls.on(Path.of("work", "bench-flowmods", "pki")) : BenchTls.off();
            labels.add(tls.label());
            rates.add(run(o.flows(), o.rounds(), o.warmup(), tls));
        }
        if (rates.size() == 2) {
            System.out.println("TLS cost on flow-mods/s (median of the measured rounds, " + labels.get(0) + " then "
                    + labels.get(1) + " in this JVM):");
            rates.get(0).costOfTls(rates.get(1)).forEach(c -> System.out.println("  " + c.line()));
        }
        System.out.printf(
                "machine: nproc=%d, max heap %d MiB; command: java %s ... FlowModBenchmark %s%n",
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20,
                String.join(
                        " ",
                        java.lang.management.ManagementFactory.getRuntimeMXBean()
                                .getInputArguments()),
                String.join(" ", args));
    }

    /** One agent and one controller-side server, plain or over mutual TLS, and every round through them. */
    private static Rates run(int flows, int rounds, int warmup, BenchTls tls) throws Exception {
        CompletableFuture<OfConnection> connected = new CompletableFuture<>();
        OfMessageListener listener = new OfMessageListener() {
            @Override
            public void onConnected(OfConnection c) {
                connected.complete(c);
            }

            @Override
            public void onMessage(OfConnection c, OFMessage m) {
                if (m.getType() == org.projectfloodlight.openflow.protocol.OFType.ERROR) {
                    System.err.println("agent error: " + m);
                }
            }

            @Override
            public void onDisconnected(OfConnection c, Throwable cause) {}
        };
        var builder = OfServer.builder(OfRole.CONTROLLER, listener)
                // a 100k burst keeps both ends busy: keepalive must not declare the agent dead meanwhile
                .config(OfConfig.defaults().withEcho(Duration.ofSeconds(1), 10));
        tls.serverContext().ifPresent(builder::sslContext);
        List<Double> applyRates = new ArrayList<>();
        List<Double> endToEndRates = new ArrayList<>();
        try (OfServer server = builder.bind(new InetSocketAddress("127.0.0.1", 0));
                DatapathAgent agent = DatapathAgent.start(AgentSettings.local(
                                "bench", BenchTls.SLOT, "127.0.0.1", 47890, List.of("127.0.0.1:" + server.port()))
                        .withTls(tls.agent("bench")))) {
            OfConnection c = connected.get(30, TimeUnit.SECONDS);
            PlanToOpenFlow enc = new PlanToOpenFlow(c.factory());
            System.out.printf(
                    "flow-mods through one agent over TCP, %s: %d flows per round, %d warm-up + %d measured rounds%n",
                    tls.label(), flows, warmup, rounds);
            for (int r = 0; r < warmup + rounds; r++) {
                List<OFMessage> mods = new ArrayList<>(flows);
                for (int i = 0; i < flows; i++) {
                    // a fresh set each round (different VNI) so every round adds flows to a growing table
                    long vni = 1 + r;
                    mods.add(enc.flowAdd(new FlowEntry(
                            FlowCompiler.TABLE_L2,
                            FlowCompiler.PRIORITY_UNICAST,
                            Cookies.cookie(Cookies.LOCAL, i),
                            FlowMatch.builder()
                                    .metadata(vni, FlowCompiler.VNI_METADATA_MASK)
                                    .ethDst(new Mac(0x0200_0000_0000L | i))
                                    .build(),
                            List.of(Instruction.apply(
                                    new Action.PushVlan(),
                                    new Action.SetVlanVid(1 + i % 4094),
                                    new Action.Output(1))))));
                }
                long e0 = System.nanoTime();
                List<ByteBuf> wire = encode(mods);
                long encoded = System.nanoTime();
                // The controller's Loxi objects are garbage now; in production they live in another process, so
                // they are collected here rather than in the agent's timed window (see the class comment).
                mods = null;
                System.gc();
                long t0 = System.nanoTime();
                for (ByteBuf buf : wire) {
                    c.sendEncoded(buf);
                }
                c.barrier().get(120, TimeUnit.SECONDS);
                long t1 = System.nanoTime();
                double encodeSecs = (encoded - e0) / 1e9;
                double applySecs = (t1 - t0) / 1e9;
                if (r >= warmup) {
                    applyRates.add(flows / applySecs);
                    endToEndRates.add(flows / (encodeSecs + applySecs));
                }
                System.out.print(r < warmup ? "warm-up (JIT, not a figure) " : "");
                System.out.printf(
                        "round %d: agent apply rate (pre-encoded, controller garbage collected first) %d flow-mods + barrier in %.3f s = %,.0f flow-mods/s;"
                                + " end to end incl. encoding %.3f s = %,.0f flow-mods/s (table now %d flows)%n",
                        r < warmup ? r + 1 : r + 1 - warmup,
                        flows,
                        applySecs,
                        flows / applySecs,
                        encodeSecs + applySecs,
                        flows / (encodeSecs + applySecs),
                        agent.tables().flowCount());
            }
        }
        return new Rates(median(applyRates), median(endToEndRates));
    }

    static double median(List<Double> values) {
        return Samples.percentile(values, 50);
    }
}
