package io.portmesh.agent.control;

import static io.portmesh.agent.control.ScriptedController.WAIT_SECONDS;
import static io.portmesh.agent.control.ScriptedController.barrier;
import static io.portmesh.agent.control.ScriptedController.role;
import static io.portmesh.agent.control.ScriptedController.sendAndSync;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.portmesh.openflow.OfConnection;
import io.portmesh.openflow.OfErrorException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFBadInstructionCode;
import org.projectfloodlight.openflow.protocol.OFBadRequestCode;
import org.projectfloodlight.openflow.protocol.OFControllerRole;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFFlowStatsReply;
import org.projectfloodlight.openflow.protocol.OFFlowStatsRequest;
import org.projectfloodlight.openflow.protocol.OFPortDesc;
import org.projectfloodlight.openflow.protocol.OFQueueGetConfigReply;
import org.projectfloodlight.openflow.protocol.OFRoleReply;
import org.projectfloodlight.openflow.protocol.OFRoleRequestFailedCode;
import org.projectfloodlight.openflow.protocol.OFStatsReplyFlags;
import org.projectfloodlight.openflow.protocol.errormsg.OFBadInstructionErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFBadRequestErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFRoleRequestFailedErrorMsg;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.OFVlanVidMatch;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/**
 * The agent against two scripted controllers over real TCP on loopback: handshake, OpenFlow 1.3 roles with generation
 * ids, which connections may modify state, barrier semantics and the errors the spec asks for.
 */
class AgentRolesTest {
    private static final long DPID = 0x00AB_CDEF_0012L;
    private static final byte OFPT_FLOW_MOD = 14;

    private ScriptedController ctlA;
    private ScriptedController ctlB;
    private DatapathAgent agent;
    private OfConnection a;
    private OfConnection b;

    @BeforeEach
    void start() throws Exception {
        ctlA = new ScriptedController();
        ctlB = new ScriptedController();
        agent = DatapathAgent.start(
                TestAgents.settings("h7", DPID, List.of(ctlA.hostPort(), ctlB.hostPort()), "127.0.0.1", 0, 4789));
        a = ctlA.awaitConnection();
        b = ctlB.awaitConnection();
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        ctlA.close();
        ctlB.close();
    }

    @Test
    void handshakeAnnouncesDatapathIdDescriptionAndPorts() {
        for (OfConnection c : List.of(a, b)) {
            assertThat(c.datapathId().getLong()).isEqualTo(DPID);
            assertThat(c.switchInfo()).isPresent();
            assertThat(c.switchInfo().get().dpDesc()).isEqualTo("portmesh host=h7 slot=a tep=127.0.0.1");
            assertThat(c.ports())
                    .extracting(p -> p.getPortNo().getPortNumber(), OFPortDesc::getName)
                    .containsExactly(tuple(1, "trunk"), tuple(2, "vxlan"));
            assertThat(c.features().getNTables())
                    .isEqualTo((short) agent.tables().tableCount());
        }
        assertThat(agent.connectedControllers()).isEqualTo(2);
    }

    @Test
    void aNewerMasterDemotesTheOldOneWhichMayNoLongerModify() throws Exception {
        assertThat(role(a, OFControllerRole.ROLE_MASTER, 5).getRole()).isEqualTo(OFControllerRole.ROLE_MASTER);
        OFRoleReply bReply = role(b, OFControllerRole.ROLE_MASTER, 6);
        assertThat(bReply.getRole()).isEqualTo(OFControllerRole.ROLE_MASTER);
        assertThat(bReply.getGenerationId().getValue()).isEqualTo(6);
        assertThat(role(a, OFControllerRole.ROLE_NOCHANGE, 0).getRole()).isEqualTo(OFControllerRole.ROLE_SLAVE);

        OFFlowAdd fromSlave = classify(a.factory(), 100);
        sendAndSync(a, List.of(fromSlave));

        OFErrorMsg err = ctlA.errorFor(a, fromSlave.getXid()).orElseThrow(() -> new AssertionError("no error"));
        assertThat(err).isInstanceOf(OFBadRequestErrorMsg.class);
        assertThat(((OFBadRequestErrorMsg) err).getCode()).isEqualTo(OFBadRequestCode.IS_SLAVE);
        byte[] head = err.getData().getData();
        assertThat(head).hasSize(64); // the spec's "at least 64 bytes of the failed request"
        assertThat(head[1]).isEqualTo(OFPT_FLOW_MOD);
        assertThat(agent.tables().flowCount()).isZero();
        assertThat(flowStats(b)).isEmpty();

        sendAndSync(b, List.of(classify(b.factory(), 100)));
        assertThat(ctlB.received(b)).noneMatch(m -> m instanceof OFErrorMsg);
        assertThat(flowStats(b)).hasSize(1);
        // a slave may still read
        assertThat(flowStats(a)).hasSize(1);
    }

    @Test
    void theControlStateNamesTheMasterAndKeepsEveryGrantInOrder() throws Exception {
        assertThat(agent.controlState().master()).isEmpty();
        role(a, OFControllerRole.ROLE_MASTER, 5);
        role(b, OFControllerRole.ROLE_SLAVE, 5);
        role(b, OFControllerRole.ROLE_MASTER, 6);
        assertThatThrownBy(() -> role(a, OFControllerRole.ROLE_MASTER, 4)).isInstanceOf(ExecutionException.class);

        DatapathAgent.ControlState s = agent.controlState();
        assertThat(s.master()).hasValueSatisfying(m -> {
            assertThat(m.controller()).isEqualTo(ctlB.hostPort());
            assertThat(m.generation()).isEqualTo(6);
        });
        // the refused request is no grant, nor is a SLAVE one
        assertThat(s.masterGrants())
                .extracting(MasterGrant::controller, MasterGrant::generation)
                .containsExactly(tuple(ctlA.hostPort(), 5L), tuple(ctlB.hostPort(), 6L));
        assertThat(s.masterGrants().get(0).atNanos())
                .isLessThanOrEqualTo(s.masterGrants().get(1).atNanos());
        assertThat(s.flowModsApplied()).isZero();
        assertThat(s.flowCount()).isZero();

        sendAndSync(b, List.of(classify(b.factory(), 100)));
        assertThat(agent.controlState().flowModsApplied()).isEqualTo(1);
        assertThat(agent.controlState().flowCount()).isEqualTo(1);
    }

    @Test
    void aStaleGenerationIsRefusedAndChangesNothing() throws Exception {
        role(a, OFControllerRole.ROLE_MASTER, 5);
        role(b, OFControllerRole.ROLE_MASTER, 6);

        assertThatThrownBy(() -> role(a, OFControllerRole.ROLE_MASTER, 4))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(OfErrorException.class, e -> {
                    assertThat(e.error()).isInstanceOf(OFRoleRequestFailedErrorMsg.class);
                    assertThat(((OFRoleRequestFailedErrorMsg) e.error()).getCode())
                            .isEqualTo(OFRoleRequestFailedCode.STALE);
                });

        assertThat(role(b, OFControllerRole.ROLE_NOCHANGE, 0).getRole()).isEqualTo(OFControllerRole.ROLE_MASTER);
        OFRoleReply aNow = role(a, OFControllerRole.ROLE_NOCHANGE, 0);
        assertThat(aNow.getRole()).isEqualTo(OFControllerRole.ROLE_SLAVE);
        assertThat(aNow.getGenerationId().getValue()).isEqualTo(6);
        // the same generation again is not stale (a master re-asserting itself after a reconnect)
        assertThat(role(b, OFControllerRole.ROLE_MASTER, 6).getRole()).isEqualTo(OFControllerRole.ROLE_MASTER);
    }

    @Test
    void aConnectionRefusedAsStaleMayNotModifyUntilItAsksAgainWithTheCurrentGeneration() throws Exception {
        role(b, OFControllerRole.ROLE_MASTER, 6);
        // a is EQUAL and may write, until it asks for mastership with a generation older than the switch has seen
        assertThatThrownBy(() -> role(a, OFControllerRole.ROLE_MASTER, 4))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(
                        OfErrorException.class,
                        e -> assertThat(((OFRoleRequestFailedErrorMsg) e.error()).getCode())
                                .isEqualTo(OFRoleRequestFailedCode.STALE));

        OFFlowAdd whileStale = classify(a.factory(), 20);
        sendAndSync(a, List.of(whileStale));
        OFErrorMsg err = ctlA.errorFor(a, whileStale.getXid()).orElseThrow(() -> new AssertionError("no error"));
        assertThat(((OFBadRequestErrorMsg) err).getCode()).isEqualTo(OFBadRequestCode.IS_SLAVE);
        assertThat(agent.tables().flowCount()).isZero();

        // the way back: read the current generation, ask with a newer one
        OFRoleReply now = role(a, OFControllerRole.ROLE_NOCHANGE, 0);
        assertThat(now.getRole()).isEqualTo(OFControllerRole.ROLE_SLAVE);
        assertThat(now.getGenerationId().getValue()).isEqualTo(6);
        OFRoleReply again =
                role(a, OFControllerRole.ROLE_MASTER, now.getGenerationId().getValue() + 1);
        assertThat(again.getRole()).isEqualTo(OFControllerRole.ROLE_MASTER);
        assertThat(again.getGenerationId().getValue()).isEqualTo(7);
        assertThat(role(b, OFControllerRole.ROLE_NOCHANGE, 0).getRole()).isEqualTo(OFControllerRole.ROLE_SLAVE);
        sendAndSync(a, List.of(classify(a.factory(), 20)));
        assertThat(agent.tables().flowCount()).isEqualTo(1);
    }

    /**
     * A master's own older request overtaken on the way (another connection was told its role with a newer generation
     * of the same election) is refused, and the master stays master: demoting it made the controller's pushes fail
     * with IS_SLAVE in the bind benchmark.
     */
    @Test
    void aMasterRefusedAsStaleStaysMasterAndMayStillWrite() throws Exception {
        role(a, OFControllerRole.ROLE_MASTER, 6);
        role(b, OFControllerRole.ROLE_SLAVE, 7);
        assertThatThrownBy(() -> role(a, OFControllerRole.ROLE_MASTER, 6))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(
                        OfErrorException.class,
                        e -> assertThat(((OFRoleRequestFailedErrorMsg) e.error()).getCode())
                                .isEqualTo(OFRoleRequestFailedCode.STALE));
        assertThat(role(a, OFControllerRole.ROLE_NOCHANGE, 0).getRole()).isEqualTo(OFControllerRole.ROLE_MASTER);
        sendAndSync(a, List.of(classify(a.factory(), 20)));
        assertThat(agent.tables().flowCount()).isEqualTo(1);
    }

    /**
     * What a test reads to watch mastership (NodePartitionTest): each controller's role and the generation it was
     * granted with, and what each controller changed, was refused, or wrote while a newer generation existed.
     */
    @Test
    void controllerRolesNameTheMasterAndCountWhatEachControllerDid() throws Exception {
        sendAndSync(a, List.of(classify(a.factory(), 10))); // EQUAL: may write
        role(a, OFControllerRole.ROLE_MASTER, 6);
        sendAndSync(a, List.of(classify(a.factory(), 11)));
        role(b, OFControllerRole.ROLE_SLAVE, 7);
        sendAndSync(a, List.of(classify(a.factory(), 12))); // still MASTER, granted with 6 while 7 exists
        role(b, OFControllerRole.ROLE_MASTER, 7);
        sendAndSync(a, List.of(classify(a.factory(), 13))); // SLAVE now: refused
        assertThatThrownBy(() -> role(a, OFControllerRole.ROLE_MASTER, 5)).isInstanceOf(ExecutionException.class);

        ControllerRoles roles = agent.controllerRoles();
        assertThat(roles.generation()).isEqualTo(7);
        assertThat(roles.masters()).isEqualTo(1);
        ControllerRoles.Controller ra = of(roles, ctlA);
        ControllerRoles.Controller rb = of(roles, ctlB);
        assertThat(ra.role()).isEqualTo(OFControllerRole.ROLE_SLAVE);
        assertThat(ra.roleGeneration()).isEqualTo(6);
        assertThat(ra.changesApplied()).isEqualTo(3);
        assertThat(ra.changesAppliedAsEqual()).isEqualTo(1);
        assertThat(ra.changesAppliedBehind()).isEqualTo(1);
        assertThat(ra.refusedAsSlave()).isEqualTo(1);
        assertThat(ra.staleRoleRequests()).isEqualTo(1);
        assertThat(ra.masterGrants()).isEqualTo(1);
        assertThat(rb.role()).isEqualTo(OFControllerRole.ROLE_MASTER);
        assertThat(rb.roleGeneration()).isEqualTo(7);
        assertThat(rb.changesApplied()).isZero();
        assertThat(rb.masterGrants()).isEqualTo(1);

        ctlA.close(); // a controller gone: no role, its counts stay
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (of(agent.controllerRoles(), ctlA).role() != null && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        ControllerRoles.Controller gone = of(agent.controllerRoles(), ctlA);
        assertThat(gone.role()).isNull();
        assertThat(gone.changesApplied()).isEqualTo(3);
    }

    private static ControllerRoles.Controller of(ControllerRoles roles, ScriptedController ctl) {
        return roles.controllers().stream()
                .filter(c -> c.address().getPort() == ctl.address().getPort())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no controller " + ctl.address() + " in " + roles));
    }

    @Test
    void everyRoleReplyCarriesTheLargestGenerationSeen() throws Exception {
        assertThat(role(a, OFControllerRole.ROLE_NOCHANGE, 0).getGenerationId().getValue())
                .isZero();
        role(a, OFControllerRole.ROLE_SLAVE, 41);
        role(b, OFControllerRole.ROLE_MASTER, 42);
        for (OfConnection c : List.of(a, b)) {
            assertThat(role(c, OFControllerRole.ROLE_NOCHANGE, 0)
                            .getGenerationId()
                            .getValue())
                    .isEqualTo(42);
        }
        assertThat(role(a, OFControllerRole.ROLE_EQUAL, 0).getGenerationId().getValue())
                .isEqualTo(42);
    }

    @Test
    void equalConnectionsMayBothModify() throws Exception {
        sendAndSync(a, List.of(classify(a.factory(), 10)));
        sendAndSync(b, List.of(classify(b.factory(), 11)));
        assertThat(agent.tables().flowCount()).isEqualTo(2);

        role(b, OFControllerRole.ROLE_MASTER, 1);
        assertThat(role(a, OFControllerRole.ROLE_EQUAL, 0).getRole()).isEqualTo(OFControllerRole.ROLE_EQUAL);
        sendAndSync(a, List.of(classify(a.factory(), 12)));
        sendAndSync(b, List.of(classify(b.factory(), 13)));

        assertThat(ctlA.received(a)).noneMatch(m -> m instanceof OFErrorMsg);
        assertThat(ctlB.received(b)).noneMatch(m -> m instanceof OFErrorMsg);
        assertThat(flowStats(a))
                .extracting(e -> e.getMatch().get(MatchField.VLAN_VID).getVlan())
                .containsExactlyInAnyOrder((short) 10, (short) 11, (short) 12, (short) 13);
    }

    @Test
    void aBarrierReplyMeansEveryEarlierFlowModIsApplied() throws Exception {
        role(a, OFControllerRole.ROLE_MASTER, 1);
        List<OFFlowAdd> mods = new ArrayList<>();
        for (int vlan = 1; vlan <= 450; vlan++) {
            mods.add(classify(a.factory(), vlan));
        }
        long appliedBefore = agent.flowModsApplied();

        a.send(mods);
        barrier(a);

        // read straight from the tables: nothing else has run on the control thread since the barrier reply
        assertThat(agent.tables().flowCount()).isEqualTo(450);
        assertThat(agent.flowModsApplied() - appliedBefore).isEqualTo(450);
        List<OFFlowStatsReply> parts =
                a.multipart(flowStatsRequest(a.factory())).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(parts).hasSizeGreaterThan(1); // more than fits in one part
        assertThat(parts.get(parts.size() - 1).getFlags()).doesNotContain(OFStatsReplyFlags.REPLY_MORE);
        assertThat(parts.stream().mapToInt(p -> p.getEntries().size()).sum()).isEqualTo(450);
    }

    @Test
    void aMalformedFlowModGetsTheSpecErrorAndTheAgentKeepsWorking() throws Exception {
        OFFactory f = a.factory();
        OFFlowAdd backwards = f.buildFlowAdd()
                .setTableId(TableId.of(1))
                .setPriority(10)
                .setMatch(f.buildMatch().build())
                .setInstructions(List.of(f.instructions().gotoTable(TableId.of(0))))
                .setBufferId(OFBufferId.NO_BUFFER)
                .build();
        OFFlowAdd good = classify(f, 42);

        sendAndSync(a, List.of(backwards, good));

        OFErrorMsg err = ctlA.errorFor(a, backwards.getXid()).orElseThrow(() -> new AssertionError("no error"));
        assertThat(err).isInstanceOf(OFBadInstructionErrorMsg.class);
        assertThat(((OFBadInstructionErrorMsg) err).getCode()).isEqualTo(OFBadInstructionCode.BAD_TABLE_ID);
        assertThat(ctlA.errorFor(a, good.getXid())).isEmpty();
        assertThat(a.isActive()).isTrue();
        assertThat(flowStats(a))
                .singleElement()
                .satisfies(e -> assertThat(e.getTableId()).isEqualTo(TableId.of(0)));
    }

    @Test
    void aMessageTypeTheAgentDoesNotHandleGetsBadType() throws Exception {
        OFFactory f = a.factory();
        var queueConfig = f.buildQueueGetConfigRequest().setPort(OFPort.of(1)).build();

        assertThatThrownBy(() ->
                        a.request(queueConfig, OFQueueGetConfigReply.class).get(WAIT_SECONDS, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(OfErrorException.class, e -> {
                    assertThat(e.error()).isInstanceOf(OFBadRequestErrorMsg.class);
                    assertThat(((OFBadRequestErrorMsg) e.error()).getCode()).isEqualTo(OFBadRequestCode.BAD_TYPE);
                });

        // still serving the same connection
        sendAndSync(a, List.of(classify(f, 7)));
        assertThat(agent.tables().flowCount()).isEqualTo(1);
    }

    /** A table-0 classifier flow like the controller's: trunk, one VLAN, on to table 1. */
    private static OFFlowAdd classify(OFFactory f, int vlan) {
        return f.buildFlowAdd()
                .setTableId(TableId.of(0))
                .setPriority(100)
                .setCookie(U64.of(0x1000 + vlan))
                .setMatch(f.buildMatch()
                        .setExact(MatchField.IN_PORT, OFPort.of(1))
                        .setExact(MatchField.VLAN_VID, OFVlanVidMatch.ofVlan(vlan))
                        .build())
                .setInstructions(List.of(f.instructions().gotoTable(TableId.of(1))))
                .setBufferId(OFBufferId.NO_BUFFER)
                .build();
    }

    private static OFFlowStatsRequest flowStatsRequest(OFFactory f) {
        return f.buildFlowStatsRequest()
                .setTableId(TableId.ALL)
                .setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.ANY)
                .setCookie(U64.ZERO)
                .setCookieMask(U64.ZERO)
                .setMatch(f.matchWildcardAll())
                .build();
    }

    private static List<OFFlowStatsEntry> flowStats(OfConnection c) throws Exception {
        return c.multipart(flowStatsRequest(c.factory())).get(WAIT_SECONDS, TimeUnit.SECONDS).stream()
                .flatMap(r -> r.getEntries().stream())
                .toList();
    }
}
