package io.portmesh.loadtest.flowmods;

import io.portmesh.agent.control.AgentSettings;
import io.portmesh.agent.control.DatapathAgent;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.projectfloodlight.openflow.protocol.OFMessage;

/**
 * Flow-mods applied per second by a real agent over real TCP: a controller-side server sends N distinct flow-mods
 * (the L2 flows of the Portmesh pipeline) in batches, then one barrier; the figure is N over the time from the first
 * write to the barrier reply, which the agent sends only after applying everything before it.
 *
 * <pre>java -cp "loadtest/target/classes:$(cat loadtest/target/classpath.txt)" io.portmesh.loadtest.flowmods.FlowModBenchmark [flows] [rounds]</pre>
 */
public final class FlowModBenchmark {
    private FlowModBenchmark() {}

    public static void main(String[] args) throws Exception {
        int flows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
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
        try (OfServer server = OfServer.builder(OfRole.CONTROLLER, listener)
                        // a 100k burst keeps both ends busy: keepalive must not declare the agent dead meanwhile
                        .config(OfConfig.defaults().withEcho(Duration.ofSeconds(1), 10))
                        .bind(new InetSocketAddress("127.0.0.1", 0));
                DatapathAgent agent = DatapathAgent.start(
                        AgentSettings.local("bench", "a", "127.0.0.1", 47890, List.of("127.0.0.1:" + server.port())))) {
            OfConnection c = connected.get(30, TimeUnit.SECONDS);
            PlanToOpenFlow enc = new PlanToOpenFlow(c.factory());
            System.out.printf("flow-mods through one agent over TCP: %d flows per round, %d rounds%n", flows, rounds);
            for (int r = 0; r < rounds; r++) {
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
                long t0 = System.nanoTime();
                for (int from = 0; from < flows; from += 1000) {
                    c.send(mods.subList(from, Math.min(flows, from + 1000)));
                }
                c.barrier().get(120, TimeUnit.SECONDS);
                double secs = (System.nanoTime() - t0) / 1e9;
                System.out.printf(
                        "round %d: %d flow-mods + barrier in %.3f s = %,.0f flow-mods/s (table now %d flows)%n",
                        r + 1, flows, secs, flows / secs, agent.tables().flowCount());
            }
            System.out.printf(
                    "machine: nproc=%d, max heap %d MiB; command: java ... FlowModBenchmark %d %d%n",
                    Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().maxMemory() >> 20,
                    flows,
                    rounds);
        }
    }
}
