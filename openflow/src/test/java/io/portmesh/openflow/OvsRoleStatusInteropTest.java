package io.portmesh.openflow;

import static io.portmesh.openflow.TestConfigs.loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.projectfloodlight.openflow.protocol.OFControllerRole;
import org.projectfloodlight.openflow.protocol.OFControllerRoleReason;
import org.projectfloodlight.openflow.protocol.OFRoleReply;
import org.projectfloodlight.openflow.types.U64;

/**
 * A stock Open vSwitch 3.1 bridge (user space, private daemons) connected to two controller endpoints of ours. When
 * the second becomes master, Open vSwitch tells the first with an ONF ROLE_STATUS experimenter message: the first
 * connection must stay open and its listener must get the typed {@link OfRoleStatus}.
 */
class OvsRoleStatusInteropTest {
    private final Closer closer = new Closer();

    @TempDir
    Path dir;

    @AfterEach
    void tearDown() throws Exception {
        closer.close();
    }

    @Test
    void theDemotedMasterReceivesRoleStatusAndKeepsItsConnection() throws Exception {
        String missing = UserspaceOvs.missing();
        assumeTrue(missing == null, () -> "Open vSwitch cannot run here: " + missing);
        RecordingListener first = new RecordingListener();
        RecordingListener second = new RecordingListener();
        OfServer firstServer = closer.add(OfServer.builder(OfRole.CONTROLLER, first)
                .config(TestConfigs.relaxed())
                .bind(loopback(0)));
        OfServer secondServer = closer.add(OfServer.builder(OfRole.CONTROLLER, second)
                .config(TestConfigs.relaxed())
                .bind(loopback(0)));
        UserspaceOvs ovs = closer.add(startOvs());
        String bridge =
                "pmrs" + String.format("%05x", ThreadLocalRandom.current().nextInt(1 << 20));
        ovs.vsctl(
                "add-br",
                bridge,
                "--",
                "set",
                "bridge",
                bridge,
                "datapath_type=netdev",
                "protocols=OpenFlow13",
                "fail_mode=secure",
                "other-config:disable-in-band=true",
                "other-config:datapath-id=00000000000000a1");
        ovs.vsctl(
                "set-controller",
                bridge,
                "tcp:127.0.0.1:" + firstServer.port(),
                "tcp:127.0.0.1:" + secondServer.port());
        OfConnection a = first.awaitConnected();
        OfConnection b = second.awaitConnected();
        assertThat(a.datapathId().getLong()).isEqualTo(0xa1);

        assertThat(role(a, OFControllerRole.ROLE_MASTER, 1).getRole()).isEqualTo(OFControllerRole.ROLE_MASTER);
        assertThat(role(b, OFControllerRole.ROLE_MASTER, 2).getRole()).isEqualTo(OFControllerRole.ROLE_MASTER);

        OfRoleStatus status = first.roleStatuses.poll(10, TimeUnit.SECONDS);
        assertThat(status)
                .as("role status at the first controller; ovs-vswitchd log:%n%s", ovs.vswitchdLog())
                .isEqualTo(new OfRoleStatus(OFControllerRole.ROLE_SLAVE, OFControllerRoleReason.MASTER_REQUEST, 2));
        assertThat(a.barrier().get(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(a.isActive()).isTrue();
        assertThat(first.disconnected).isEmpty();
        assertThat(a.stats().decodeErrors()).isZero();
        assertThat(role(a, OFControllerRole.ROLE_NOCHANGE, 0).getRole()).isEqualTo(OFControllerRole.ROLE_SLAVE);
        assertThat(second.roleStatuses).isEmpty();
    }

    private UserspaceOvs startOvs() throws InterruptedException {
        try {
            return UserspaceOvs.start(dir);
        } catch (IOException e) {
            assumeTrue(false, "ovs-vswitchd cannot be started here: " + e.getMessage());
            throw new AssertionError(e);
        }
    }

    private static OFRoleReply role(OfConnection c, OFControllerRole role, long generation) throws Exception {
        var request = c.factory()
                .buildRoleRequest()
                .setRole(role)
                .setGenerationId(U64.of(generation))
                .build();
        return c.request(request, OFRoleReply.class).get(10, TimeUnit.SECONDS);
    }
}
