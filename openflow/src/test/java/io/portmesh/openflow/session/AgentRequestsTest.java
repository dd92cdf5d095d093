package io.portmesh.openflow.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.flow.Cookies;
import io.portmesh.openflow.OfConnection;
import io.portmesh.openflow.OfErrorException;
import io.portmesh.openflow.OpenFlowBytes;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFBarrierReply;
import org.projectfloodlight.openflow.protocol.OFControllerRole;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowStatsReply;
import org.projectfloodlight.openflow.protocol.OFGroupDescStatsReply;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPortDescStatsReply;
import org.projectfloodlight.openflow.protocol.OFRoleRequestFailedCode;
import org.projectfloodlight.openflow.protocol.OFStatsReplyFlags;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/** {@link AgentRequests} sends exactly the OpenFlow the session sent itself before, and reads the answers. */
class AgentRequestsTest {
    private static final OFFactory F = OFFactories.getFactory(OFVersion.OF_13);

    /** An {@link OfConnection} that records what is asked and lets the test answer. */
    private static final class Recorder {
        final AtomicLong xids = new AtomicLong(100);
        final List<OFMessage> sent = new ArrayList<>();
        final List<CompletableFuture<Object>> answers = new ArrayList<>();
        final OfConnection conn = (OfConnection) Proxy.newProxyInstance(
                OfConnection.class.getClassLoader(), new Class<?>[] {OfConnection.class}, (p, method, args) -> {
                    switch (method.getName()) {
                        case "factory":
                            return F;
                        case "nextXid":
                            return xids.incrementAndGet();
                        case "request":
                        case "multipart":
                            sent.add((OFMessage) args[0]);
                            return answer();
                        case "barrier":
                            sent.add(F.buildBarrierRequest().setXid(0).build());
                            return answer();
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });

        private CompletableFuture<Object> answer() {
            CompletableFuture<Object> f = new CompletableFuture<>();
            answers.add(f);
            return f;
        }
    }

    private static byte[] wire(OFMessage... messages) {
        return OpenFlowBytes.encode(List.of(messages));
    }

    @Test
    void aRoleRequestCarriesTheRoleAndGenerationAndCompletesWhenGranted() throws Exception {
        Recorder r = new Recorder();
        CompletableFuture<Void> master = new AgentRequests(r.conn).requestRole(true, 7);
        CompletableFuture<Void> slave = new AgentRequests(r.conn).requestRole(false, -2);

        assertThat(wire(r.sent.get(0)))
                .isEqualTo(wire(F.buildRoleRequest()
                        .setXid(101)
                        .setRole(OFControllerRole.ROLE_MASTER)
                        .setGenerationId(U64.of(7))
                        .build()));
        assertThat(wire(r.sent.get(1)))
                .isEqualTo(wire(F.buildRoleRequest()
                        .setXid(102)
                        .setRole(OFControllerRole.ROLE_SLAVE)
                        .setGenerationId(U64.of(-2))
                        .build()));
        assertThat(AgentRequests.roleName(true)).isEqualTo("ROLE_MASTER");
        assertThat(AgentRequests.roleName(false)).isEqualTo("ROLE_SLAVE");

        r.answers
                .get(0)
                .complete(F.buildRoleReply()
                        .setXid(101)
                        .setRole(OFControllerRole.ROLE_MASTER)
                        .setGenerationId(U64.of(7))
                        .build());
        assertThat(master.get()).isNull();
        // a refusal arrives as the connection's own exception, not wrapped, so that logs and isStale see it
        OfErrorException stale = new OfErrorException(F.errorMsgs()
                .buildRoleRequestFailedErrorMsg()
                .setXid(102)
                .setCode(OFRoleRequestFailedCode.STALE)
                .build());
        r.answers.get(1).completeExceptionally(stale);
        slave.handle((v, e) -> {
                    assertThat(e).isSameAs(stale);
                    assertThat(AgentRequests.isStale(e)).isTrue();
                    return null;
                })
                .get();
    }

    @Test
    void theNewestGenerationIsARoleRequestThatChangesNothing() throws Exception {
        Recorder r = new Recorder();
        CompletableFuture<Long> generation = new AgentRequests(r.conn).newestGeneration();

        assertThat(wire(r.sent.get(0)))
                .isEqualTo(wire(F.buildRoleRequest()
                        .setXid(101)
                        .setRole(OFControllerRole.ROLE_NOCHANGE)
                        .setGenerationId(U64.ZERO)
                        .build()));
        r.answers
                .get(0)
                .complete(F.buildRoleReply()
                        .setXid(101)
                        .setRole(OFControllerRole.ROLE_SLAVE)
                        .setGenerationId(U64.of(0x8000_0000_0000_0005L))
                        .build());
        assertThat(generation.get()).isEqualTo(0x8000_0000_0000_0005L);
    }

    @Test
    void readingAsksForPortmeshFlowsGroupsAndPortsAndReturnsTheirBytes() throws Exception {
        Recorder r = new Recorder();
        CompletableFuture<AgentRequests.Installed> read = new AgentRequests(r.conn).readInstalled();

        assertThat(r.sent).hasSize(3);
        assertThat(wire(r.sent.get(0)))
                .isEqualTo(wire(F.buildFlowStatsRequest()
                        .setXid(101)
                        .setTableId(TableId.ALL)
                        .setOutPort(OFPort.ANY)
                        .setOutGroup(OFGroup.ANY)
                        .setCookie(U64.of(Cookies.PORTMESH))
                        .setCookieMask(U64.of(Cookies.OWNER_MASK))
                        .setMatch(F.buildMatch().build())
                        .build()));
        assertThat(wire(r.sent.get(1)))
                .isEqualTo(wire(F.buildGroupDescStatsRequest().setXid(102).build()));
        assertThat(wire(r.sent.get(2)))
                .isEqualTo(wire(F.buildPortDescStatsRequest().setXid(103).build()));

        OFFlowStatsReply flows1 = F.buildFlowStatsReply()
                .setXid(101)
                .setFlags(Set.of(OFStatsReplyFlags.REPLY_MORE))
                .build();
        OFFlowStatsReply flows2 = F.buildFlowStatsReply().setXid(101).build();
        OFGroupDescStatsReply groups = F.buildGroupDescStatsReply().setXid(102).build();
        OFPortDescStatsReply ports = F.buildPortDescStatsReply().setXid(103).build();
        r.answers.get(2).complete(List.of(ports));
        r.answers.get(0).complete(List.of(flows1, flows2));
        assertThat(read).isNotDone();
        r.answers.get(1).complete(List.of(groups));

        AgentRequests.Installed installed = read.get();
        assertThat(installed.flows()).isEqualTo(wire(flows1, flows2));
        assertThat(OpenFlowBytes.decode(installed.flows(), OFFlowStatsReply.class))
                .containsExactly(flows1, flows2);
        assertThat(installed.groups()).isEqualTo(wire(groups));
        assertThat(installed.ports()).isEqualTo(wire(ports));
    }

    @Test
    void aReadFailsWhenAnyPartDoes() {
        Recorder r = new Recorder();
        CompletableFuture<AgentRequests.Installed> read = new AgentRequests(r.conn).readInstalled();
        r.answers.get(1).completeExceptionally(new TimeoutException("group desc"));
        r.answers.get(0).complete(List.of());
        r.answers.get(2).complete(List.of());

        assertThat(read).isCompletedExceptionally();
        try {
            read.get();
        } catch (InterruptedException | ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(TimeoutException.class);
        }
    }

    @Test
    void aBarrierCompletesWithItsReplyAndFailsUnwrapped() throws Exception {
        Recorder r = new Recorder();
        AgentRequests requests = new AgentRequests(r.conn);
        CompletableFuture<Void> first = requests.barrier();
        CompletableFuture<Void> second = requests.barrier();

        OFBarrierReply reply = F.buildBarrierReply().setXid(1).build();
        r.answers.get(0).complete(reply);
        assertThat(first.get()).isNull();
        TimeoutException timeout = new TimeoutException("barrier");
        r.answers.get(1).completeExceptionally(timeout);
        second.handle((v, e) -> {
                    assertThat(e).isSameAs(timeout);
                    return null;
                })
                .get();
    }
}
