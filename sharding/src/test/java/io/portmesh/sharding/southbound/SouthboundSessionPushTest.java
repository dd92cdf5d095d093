package io.portmesh.sharding.southbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.HostId;
import io.portmesh.openflow.OpenFlowBytes;
import io.portmesh.openflow.session.AgentMessages;
import io.portmesh.sharding.EntityTestKits;
import io.portmesh.sharding.host.HostEntity;
import io.portmesh.sharding.host.HostProtocol;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.testkit.javadsl.TestEntityRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowModFailedCode;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.errormsg.OFErrorMsgs;
import org.projectfloodlight.openflow.types.OFErrorCauseData;
import org.projectfloodlight.openflow.types.TableId;

/**
 * Pushes are pipelined: the agent's answer to push N+1 may come after barrier N. Each push must be acknowledged or
 * failed by what the agent said about its own messages.
 */
class SouthboundSessionPushTest {
    static final ActorTestKit testKit = ActorTestKit.create(EntityTestKits.config());
    private static final OFFactory F = FakeAgentConnection.factoryOf13();

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    /**
     * The next message of {@code type}, past the session's re-announcements: until a role arrives it announces every
     * {@link SouthboundSession#UNANCHORED_RETRY}, which a loaded machine lets pass between two steps of a test.
     */
    private static <T extends HostProtocol.Command> T next(TestProbe<HostProtocol.Command> host, Class<T> type) {
        for (int i = 0; i < 40; i++) { // 40 re-announcements: 20 s
            HostProtocol.Command m = host.receiveMessage(Duration.ofSeconds(10));
            if (!(m instanceof HostProtocol.AgentConnected)) {
                assertThat(m).isInstanceOf(type);
                return type.cast(m);
            }
        }
        throw new AssertionError("only re-announcements, no " + type.getSimpleName());
    }

    /** Fixed by giving each push its own xids: before, barrier N cleared every xid and push N+1 was acknowledged. */
    @Test
    void anErrorForTheNextPushThatArrivesAfterAnEarlierBarrierFailsThatPush() {
        Started started = start("esx-1");
        FakeAgentConnection conn = started.conn();
        TestProbe<HostProtocol.Command> host = started.host();
        ActorRef<SessionCommand> session = started.session();

        session.tell(new SessionCommand.Push(1, 11, bytes(flowMod(1), flowMod(2)), 2, host.ref()));
        session.tell(new SessionCommand.Push(2, 12, bytes(flowMod(3)), 1, host.ref()));
        awaitBarriers(conn, 2);
        List<Long> secondPushXids = conn.writes.stream().skip(1).findFirst().orElseThrow();

        conn.barriers.poll().complete(FakeAgentConnection.barrierReply());
        assertThat(next(host, HostProtocol.Acked.class).seq()).isEqualTo(1);

        // the agent refuses push 2's flow-mod; its error arrives after barrier 1, before barrier 2
        session.tell(new SouthboundSession.Inbound(AgentMessages.read(refusal(secondPushXids.get(0)))));
        conn.barriers.poll().complete(FakeAgentConnection.barrierReply());
        HostProtocol.PushFailed failed = next(host, HostProtocol.PushFailed.class);
        assertThat(failed.seq()).isEqualTo(2);
        assertThat(failed.reason()).contains("refused");
    }

    @Test
    void anErrorForAnEarlierPushDoesNotFailALaterOne() {
        Started started = start("esx-2");
        FakeAgentConnection conn = started.conn();
        TestProbe<HostProtocol.Command> host = started.host();
        ActorRef<SessionCommand> session = started.session();

        session.tell(new SessionCommand.Push(1, 11, bytes(flowMod(1)), 1, host.ref()));
        session.tell(new SessionCommand.Push(2, 12, bytes(flowMod(2)), 1, host.ref()));
        awaitBarriers(conn, 2);
        long firstXid = conn.writes.peek().get(0);
        session.tell(new SouthboundSession.Inbound(AgentMessages.read(refusal(firstXid))));
        conn.barriers.poll().complete(FakeAgentConnection.barrierReply());
        assertThat(next(host, HostProtocol.PushFailed.class).seq()).isEqualTo(1);
        conn.barriers.poll().complete(FakeAgentConnection.barrierReply());
        assertThat(next(host, HostProtocol.Acked.class).seq()).isEqualTo(2);
    }

    /**
     * A push longer than one cross-node message ({@link SessionCommand#PART_BYTES}) comes in parts of one seq: every
     * part is written, one barrier follows the last, and the push is acknowledged once.
     */
    @Test
    void aPushInPartsIsWrittenWholeWithOneBarrierAfterItsLastPart() {
        Started started = start("esx-3");
        FakeAgentConnection conn = started.conn();
        TestProbe<HostProtocol.Command> host = started.host();
        ActorRef<SessionCommand> session = started.session();

        session.tell(new SessionCommand.Push(1, 11, bytes(flowMod(1), flowMod(2)), 0, host.ref(), true));
        session.tell(new SessionCommand.Push(1, 11, bytes(flowMod(3)), 3, host.ref(), false));
        awaitBarriers(conn, 1);

        assertThat(conn.writes).hasSize(2);
        assertThat(conn.writes.stream().mapToInt(List::size).sum()).isEqualTo(3);
        conn.barriers.poll().complete(FakeAgentConnection.barrierReply());
        assertThat(next(host, HostProtocol.Acked.class).seq()).isEqualTo(1);
        assertThat(conn.barriers).isEmpty();
    }

    /** The agent refuses a flow-mod of the first part: the whole push fails, not only that part. */
    @Test
    void aRefusalOfAnEarlyPartFailsTheWholePush() {
        Started started = start("esx-4");
        FakeAgentConnection conn = started.conn();
        TestProbe<HostProtocol.Command> host = started.host();
        ActorRef<SessionCommand> session = started.session();

        session.tell(new SessionCommand.Push(1, 11, bytes(flowMod(1)), 0, host.ref(), true));
        session.tell(new SessionCommand.Push(1, 11, bytes(flowMod(2)), 2, host.ref(), false));
        awaitBarriers(conn, 1);
        session.tell(new SouthboundSession.Inbound(
                AgentMessages.read(refusal(conn.writes.peek().get(0)))));
        conn.barriers.poll().complete(FakeAgentConnection.barrierReply());
        assertThat(next(host, HostProtocol.PushFailed.class).seq()).isEqualTo(1);
    }

    /**
     * The parts of push 1 stop (the entity incarnation that sent them is gone) and push 2 arrives: push 2's barrier
     * fails, since the switch holds half of push 1, and the entity reads it again.
     */
    @Test
    void aPushCutShortFailsAtTheNextBarrier() {
        Started started = start("esx-5");
        FakeAgentConnection conn = started.conn();
        TestProbe<HostProtocol.Command> host = started.host();
        ActorRef<SessionCommand> session = started.session();

        session.tell(new SessionCommand.Push(1, 11, bytes(flowMod(1)), 0, host.ref(), true));
        session.tell(new SessionCommand.Push(2, 12, bytes(flowMod(2)), 1, host.ref()));
        awaitBarriers(conn, 1);
        conn.barriers.poll().complete(FakeAgentConnection.barrierReply());
        HostProtocol.PushFailed failed = next(host, HostProtocol.PushFailed.class);
        assertThat(failed.seq()).isEqualTo(2);
        assertThat(failed.reason()).contains("cut short");
    }

    private record Started(
            FakeAgentConnection conn, TestProbe<HostProtocol.Command> host, ActorRef<SessionCommand> session) {}

    /** A session of a fake agent connection of host {@code hostId}, announced to the probe standing for its entity. */
    private static Started start(String hostId) {
        FakeAgentConnection conn = new FakeAgentConnection();
        TestProbe<HostProtocol.Command> host = testKit.createTestProbe();
        ActorRef<SessionCommand> session = testKit.spawn(SouthboundSession.create(
                conn,
                new AgentIdentity(HostId.of(hostId), "a"),
                TestEntityRef.of(HostEntity.TYPE_KEY, hostId, host.ref()),
                "node-1",
                Duration.ofHours(1)));
        host.expectMessageClass(HostProtocol.AgentConnected.class);
        return new Started(conn, host, session);
    }

    private static void awaitBarriers(FakeAgentConnection conn, int n) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (conn.barriers.size() < n && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(conn.barriers).hasSize(n);
    }

    private static OFMessage flowMod(int priority) {
        return F.buildFlowAdd()
                .setTableId(TableId.of(0))
                .setPriority(priority)
                .setMatch(F.buildMatch().build())
                .build();
    }

    private static byte[] bytes(OFMessage... messages) {
        return OpenFlowBytes.encode(List.of(messages));
    }

    private static OFErrorMsg refusal(long xid) {
        OFErrorMsgs errors = F.errorMsgs();
        return errors.buildFlowModFailedErrorMsg()
                .setXid(xid)
                .setCode(OFFlowModFailedCode.TABLE_FULL)
                .setData(OFErrorCauseData.NONE)
                .build();
    }
}
