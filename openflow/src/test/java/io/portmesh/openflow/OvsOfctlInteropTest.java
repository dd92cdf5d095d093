package io.portmesh.openflow;

import static io.portmesh.openflow.TestConfigs.loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.MacAddress;

/**
 * A real peer: Open vSwitch's {@code ovs-ofctl} (package openvswitch-common) against a switch-role server, the
 * way an operator inspects a passive agent. Skipped where ovs-ofctl is not installed.
 */
class OvsOfctlInteropTest {
    private static final Path OVS_OFCTL = Path.of("/usr/bin/ovs-ofctl");
    private final Closer closer = new Closer();
    private final FakeSwitch fake = new FakeSwitch(0xbeefL, "host-ovs/a", 2);
    private final RecordingListener agent = new RecordingListener(fake);
    private OfServer server;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Files.isExecutable(OVS_OFCTL), "ovs-ofctl not installed");
        server = closer.add(OfServer.builder(OfRole.SWITCH, agent)
                .config(TestConfigs.relaxed())
                .bind(loopback(0)));
    }

    @AfterEach
    void tearDown() throws Exception {
        closer.close();
    }

    private record Result(int exit, String output) {}

    private Result ofctl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(OVS_OFCTL.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("ovs-ofctl hung: " + command);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private String target() {
        return "tcp:127.0.0.1:" + server.port();
    }

    @Test
    void showReadsFeaturesAndPorts() throws Exception {
        Result r = ofctl("-O", "OpenFlow13", "show", target());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("dpid:000000000000beef").contains("p1").contains("p2");
    }

    /**
     * {@code --no-names}: without it ovs-ofctl first asks for table features, which this fake switch does not answer
     * (the agent does; datapath-agent's ReadmeOvsOfctlTest runs add-flow without the option).
     */
    @Test
    void addFlowWithTunnelDestinationArrivesAsAFlowMod() throws Exception {
        Result r = ofctl(
                "-O",
                "OpenFlow13",
                "--no-names",
                "add-flow",
                target(),
                "table=1,priority=100,metadata=5001,dl_dst=02:00:00:00:00:0b,"
                        + "actions=set_field:5001->tun_id,set_field:192.0.2.2->tun_dst,output:2");
        assertThat(r.exit()).as(r.output()).isZero();
        OFFlowAdd add = agent.awaitMessage(OFFlowAdd.class);
        assertThat(add.getTableId().getValue()).isEqualTo((short) 1);
        assertThat(add.getMatch().get(MatchField.ETH_DST)).isEqualTo(MacAddress.of("02:00:00:00:00:0b"));
        assertThat(add.getInstructions().toString()).contains("192.0.2.2");
    }

    @Test
    void anOpenFlow10OnlyPeerIsToldWhy() throws Exception {
        Result r = ofctl("-O", "OpenFlow10", "show", target());
        assertThat(r.exit()).isNotZero();
        // ovs-ofctl reads our 1.3-only HELLO and gives up by itself
        assertThat(r.output()).contains("version negotiation failed");
    }
}
