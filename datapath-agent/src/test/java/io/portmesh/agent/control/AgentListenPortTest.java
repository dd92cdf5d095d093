package io.portmesh.agent.control;

import static io.portmesh.agent.control.ScriptedController.WAIT_SECONDS;
import static io.portmesh.agent.control.ScriptedController.role;
import static io.portmesh.agent.control.ScriptedController.sendAndSync;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portmesh.openflow.OfConnection;
import io.portmesh.openflow.OfErrorException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFBadRequestCode;
import org.projectfloodlight.openflow.protocol.OFControllerRole;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFFlowModFailedCode;
import org.projectfloodlight.openflow.protocol.OFGroupModFailedCode;
import org.projectfloodlight.openflow.protocol.OFGroupType;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPacketOut;
import org.projectfloodlight.openflow.protocol.OFPortConfig;
import org.projectfloodlight.openflow.protocol.OFPortMod;
import org.projectfloodlight.openflow.protocol.OFPortModFailedCode;
import org.projectfloodlight.openflow.protocol.OFRoleReply;
import org.projectfloodlight.openflow.protocol.OFRoleRequestFailedCode;
import org.projectfloodlight.openflow.protocol.errormsg.OFBadRequestErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFFlowModFailedErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFGroupModFailedErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFPortModFailedErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFRoleRequestFailedErrorMsg;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.OFVlanVidMatch;
import org.projectfloodlight.openflow.types.TableId;

/**
 * Connections to the agent's listen port: read-only by default, flow edits only with listen-access = read-write, and
 * never part of mastership, so a tool on that port cannot lock the controllers out of the switch.
 */
class AgentListenPortTest {
    private static final long DPID = 0x00AB_CDEF_0044L;

    private ScriptedController controller;
    private DatapathAgent agent;
    private ListenPortClient tool;
    private OfConnection ctl;
    private OfConnection listen;

    private void start(String listenAccess) throws Exception {
        controller = new ScriptedController();
        String hocon = "listen = \"127.0.0.1:0\"\n" + (listenAccess == null ? "" : "listen-access = " + listenAccess);
        agent = DatapathAgent.start(
                TestAgents.settings("h9", DPID, List.of(controller.hostPort()), "127.0.0.1", 0, 4789, hocon));
        ctl = controller.awaitConnection();
        tool = new ListenPortClient(agent.listenAddress().orElseThrow());
        listen = tool.awaitConnection();
    }

    @AfterEach
    void stop() {
        if (tool != null) {
            tool.close();
        }
        if (agent != null) {
            agent.close();
        }
        if (controller != null) {
            controller.close();
        }
    }

    @Test
    void byDefaultTheListenPortReadsButEveryChangeIsRefusedWithEperm() throws Exception {
        start(null);
        sendAndSync(ctl, List.of(classify(ctl.factory(), 10)));
        OFFactory f = listen.factory();
        OFFlowAdd flow = classify(f, 11);
        var group = f.buildGroupAdd()
                .setXid(listen.nextXid())
                .setGroup(OFGroup.of(3))
                .setGroupType(OFGroupType.ALL)
                .setBuckets(List.of())
                .build();
        OFPortMod portDown = f.buildPortMod()
                .setXid(listen.nextXid())
                .setPortNo(OFPort.of(1))
                .setHwAddr(MacAddress.of(agent.ports().get(1).hwAddr().value()))
                .setConfig(Set.of(OFPortConfig.PORT_DOWN))
                .setMask(Set.of(OFPortConfig.PORT_DOWN))
                .build();
        OFPacketOut packetOut = f.buildPacketOut()
                .setXid(listen.nextXid())
                .setBufferId(OFBufferId.NO_BUFFER)
                .setInPort(OFPort.CONTROLLER)
                .setActions(List.of(f.actions().output(OFPort.of(1), 0)))
                .setData(new byte[60])
                .build();

        sendAndSync(listen, List.of(flow, group, portDown, packetOut));

        assertThat(error(flow))
                .isInstanceOfSatisfying(
                        OFFlowModFailedErrorMsg.class,
                        e -> assertThat(e.getCode()).isEqualTo(OFFlowModFailedCode.EPERM));
        assertThat(error(group))
                .isInstanceOfSatisfying(
                        OFGroupModFailedErrorMsg.class,
                        e -> assertThat(e.getCode()).isEqualTo(OFGroupModFailedCode.EPERM));
        assertThat(error(portDown))
                .isInstanceOfSatisfying(
                        OFPortModFailedErrorMsg.class,
                        e -> assertThat(e.getCode()).isEqualTo(OFPortModFailedCode.EPERM));
        assertThat(error(packetOut))
                .isInstanceOfSatisfying(
                        OFBadRequestErrorMsg.class, e -> assertThat(e.getCode()).isEqualTo(OFBadRequestCode.EPERM));
        assertThat(agent.tables().flowCount()).isEqualTo(1);
        assertThat(agent.tables().groupDesc()).isEmpty();
        assertThat(agent.ports().get(1).isAdminUp()).isTrue();
        // reading is what the port is for
        assertThat(listen.multipart(f.buildFlowStatsRequest()
                                .setTableId(TableId.ALL)
                                .setOutPort(OFPort.ANY)
                                .setOutGroup(OFGroup.ANY)
                                .setMatch(f.matchWildcardAll())
                                .build())
                        .get(WAIT_SECONDS, TimeUnit.SECONDS))
                .flatExtracting(r -> r.getEntries())
                .hasSize(1);
        assertThat(listen.isActive()).isTrue();
    }

    @Test
    void theListenPortCanNeverTakeMastershipNorMoveTheGeneration() throws Exception {
        start(null);
        for (OFControllerRole role : List.of(OFControllerRole.ROLE_MASTER, OFControllerRole.ROLE_SLAVE)) {
            assertThatThrownBy(() -> role(listen, role, 1_000_000))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOfSatisfying(
                            OfErrorException.class,
                            e -> assertThat(e.error())
                                    .isInstanceOfSatisfying(
                                            OFRoleRequestFailedErrorMsg.class,
                                            r -> assertThat(r.getCode()).isEqualTo(OFRoleRequestFailedCode.UNSUP)));
        }

        // the controller is not locked out: generation 1 is still new
        OFRoleReply master = role(ctl, OFControllerRole.ROLE_MASTER, 1);
        assertThat(master.getRole()).isEqualTo(OFControllerRole.ROLE_MASTER);
        assertThat(master.getGenerationId().getValue()).isEqualTo(1);
        OFRoleReply tool = role(listen, OFControllerRole.ROLE_NOCHANGE, 0);
        assertThat(tool.getRole()).isEqualTo(OFControllerRole.ROLE_EQUAL);
        assertThat(tool.getGenerationId().getValue()).isEqualTo(1);
        assertThat(role(ctl, OFControllerRole.ROLE_NOCHANGE, 0).getRole()).isEqualTo(OFControllerRole.ROLE_MASTER);
    }

    @Test
    void readWriteAccessAllowsFlowEditsButStillNoMastership() throws Exception {
        start("read-write");
        role(ctl, OFControllerRole.ROLE_MASTER, 5);
        OFFlowAdd flow = classify(listen.factory(), 12);

        sendAndSync(listen, List.of(flow));

        assertThat(tool.errorFor(flow.getXid())).isEmpty();
        assertThat(agent.tables().flowCount()).isEqualTo(1);
        assertThatThrownBy(() -> role(listen, OFControllerRole.ROLE_MASTER, 6))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(OfErrorException.class);
        assertThat(role(ctl, OFControllerRole.ROLE_NOCHANGE, 0).getRole()).isEqualTo(OFControllerRole.ROLE_MASTER);
        assertThat(role(ctl, OFControllerRole.ROLE_MASTER, 5).getGenerationId().getValue())
                .isEqualTo(5);
    }

    private OFErrorMsg error(OFMessage m) {
        return tool.errorFor(m.getXid()).orElseThrow(() -> new AssertionError("no error for " + m.getType()));
    }

    private static OFFlowAdd classify(OFFactory f, int vlan) {
        return f.buildFlowAdd()
                .setTableId(TableId.of(0))
                .setPriority(100)
                .setMatch(f.buildMatch()
                        .setExact(MatchField.IN_PORT, OFPort.of(1))
                        .setExact(MatchField.VLAN_VID, OFVlanVidMatch.ofVlan(vlan))
                        .build())
                .setInstructions(List.of(f.instructions().gotoTable(TableId.of(1))))
                .setBufferId(OFBufferId.NO_BUFFER)
                .build();
    }
}
