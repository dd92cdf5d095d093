package io.portmesh.sharding.host;

import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.model.Vni;
import io.portmesh.model.flow.DatapathPorts;
import io.portmesh.openflow.OpenFlowBytes;
import io.portmesh.openflow.plan.TrunkWire;
import io.portmesh.sharding.lswitch.SwitchMembers;
import io.portmesh.sharding.service.HostInfo;
import io.portmesh.sharding.southbound.SessionCommand;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFPortConfig;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFPort;

/**
 * A Host entity of an HA pair driven by hand (docs/architecture.md section 7.2): host {@code esx-1} registered at
 * 10.0.0.1 with port p1 bound in switch {@code blue}, probes as its agents' sessions, and a recording stub for the
 * switches whose endpoint asks answer at once or, with {@link #holdAsks}, when the test completes them.
 */
public final class HostPairFixture {
    static final String NODE = "pekko://test@127.0.0.1:1";
    static final String OTHER_NODE = "pekko://test@127.0.0.1:2";
    static final SwitchMembers BLUE = new SwitchMembers(100, 1, List.of());

    /** The endpoint asks the switches got: "switch host tep standbyTep epoch". */
    final LinkedBlockingQueue<String> endpointAsks = new LinkedBlockingQueue<>();
    /** Endpoint asks held open until the test completes them (a planned failover waits for them). */
    final Map<String, CompletableFuture<Object>> heldAsks = new ConcurrentHashMap<>();

    private volatile boolean holdAsks;
    final EventSourcedBehaviorTestKit<HostProtocol.Command, HostEntity.Event, HostState> kit;

    HostPairFixture(ActorTestKit testKit) {
        HostProtocol.SwitchDirectory switches = new HostProtocol.SwitchDirectory() {
            @Override
            public CompletionStage<SwitchMembers> members(String switchId) {
                return CompletableFuture.completedFuture(BLUE);
            }

            @Override
            public CompletionStage<?> setEndpoint(
                    String switchId, String host, String tep, String standbyTep, long epoch) {
                endpointAsks.add(switchId + " " + host + " " + tep + " " + standbyTep + " " + epoch);
                if (!holdAsks) {
                    return CompletableFuture.completedFuture(null);
                }
                CompletableFuture<Object> f = new CompletableFuture<>();
                heldAsks.put(switchId, f);
                return f;
            }
        };
        kit = EventSourcedBehaviorTestKit.create(
                testKit.system(), HostEntity.create("esx-1", NODE, Duration.ofSeconds(2), switches));
        kit.clear();
        kit.<StatusReply<HostInfo>>runCommand(r -> new HostProtocol.Register(Ipv4.parse("10.0.0.1"), r));
        kit.<StatusReply<HostProtocol.Bound>>runCommand(r -> new HostProtocol.BindPort(
                PortId.of("p1"), Mac.parse("52:54:00:00:00:01"), SwitchId.of("blue"), new Vni(100), r));
    }

    /** From now on the switches answer endpoint asks only when the test completes them ({@link #heldAsks}). */
    void holdAsks() {
        holdAsks = true;
    }

    /** Port description reply bytes with the trunk up or down, as an agent's read answers. */
    public static byte[] ports(boolean trunkUp) {
        var f = OFFactories.getFactory(OFVersion.OF_13);
        return OpenFlowBytes.encode(List.of(f.buildPortDescStatsReply()
                .setXid(1)
                .setEntries(List.of(f.buildPortDesc()
                        .setPortNo(OFPort.of(DatapathPorts.TRUNK))
                        .setHwAddr(MacAddress.of(0x02_00_00_00_00_01L))
                        .setName("trunk")
                        .setConfig(trunkUp ? Set.of() : Set.of(OFPortConfig.PORT_DOWN))
                        .build()))
                .build()));
    }

    /** Connects a slot's agent, answers its read with its trunk state, and acknowledges the whole-plan push. */
    SessionCommand.Push connect(TestProbe<SessionCommand> agent, String slot, String tep, boolean trunkUp) {
        kit.runCommand(new HostProtocol.AgentConnected(agent.ref(), slot, "00:0" + slot, NODE, "127.0.0.1:1", tep));
        agent.expectMessageClass(SessionCommand.SetRole.class);
        long read = agent.expectMessageClass(SessionCommand.Reconcile.class).seq();
        kit.runCommand(new HostProtocol.Installed(agent.ref(), read, new byte[0], new byte[0], ports(trunkUp)));
        SessionCommand.Push whole = agent.expectMessageClass(SessionCommand.Push.class);
        kit.runCommand(new HostProtocol.Acked(agent.ref(), whole.seq()));
        return whole;
    }

    /** The trunk state a push sets, if it carries a PORT_MOD. */
    static Optional<Boolean> trunkOf(SessionCommand.Push p) {
        return TrunkWire.readPortMod(p.messages());
    }

    /** Whether the switches get this endpoint ask within 2 s (earlier asks, e.g. the standby's announcement, skipped). */
    boolean awaitAsk(String wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        String ask;
        while ((ask = endpointAsks.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) != null) {
            if (ask.equals(wanted)) {
                return true;
            }
        }
        return false;
    }

    HostInfo info() {
        return kit.<StatusReply<HostInfo>>runCommand(HostProtocol.Get::new)
                .reply()
                .getValue();
    }
}
