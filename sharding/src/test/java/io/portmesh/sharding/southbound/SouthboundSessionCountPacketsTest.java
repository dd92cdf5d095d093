package io.portmesh.sharding.southbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.flow.Cookies;
import io.portmesh.sharding.EntityTestKits;
import io.portmesh.sharding.host.HostProtocol;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowStatsRequest;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/**
 * A move's deadline check reads the destination's activation flows through the session (docs/architecture.md section
 * 7.1, row R): one flow-stats request filtered by exactly the port's cookie, the flows found and their packets summed
 * back to the asker, or the read's failure.
 */
class SouthboundSessionCountPacketsTest {
    static final ActorTestKit testKit = ActorTestKit.create(EntityTestKits.config());
    private static final OFFactory F = FakeAgentConnection.factoryOf13();
    private static final long COOKIE = Cookies.cookie(Cookies.ACTIVATE, 101);

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    @Test
    void theCountIsOneFlowStatsRequestByTheExactCookieAndSumsThePacketsOfTheFlowsFound() {
        FakeAgentConnection conn = new FakeAgentConnection();
        ActorRef<SessionCommand> session = session(conn);
        TestProbe<StatusReply<HostProtocol.ActivationCount>> asker = testKit.createTestProbe();

        session.tell(new SessionCommand.CountPackets(COOKIE, asker.ref()));
        FakeAgentConnection.Multipart read = awaitMultipart(conn);
        OFFlowStatsRequest request = (OFFlowStatsRequest) read.request();
        assertThat(request.getCookie()).isEqualTo(U64.of(COOKIE));
        assertThat(request.getCookieMask()).isEqualTo(U64.of(-1L));
        assertThat(request.getTableId()).isEqualTo(TableId.ALL);
        // the RARP flow matched once, the ARP flow twice, over two reply parts
        read.replies()
                .complete(List.of(
                        F.buildFlowStatsReply()
                                .setEntries(List.of(F.buildFlowStatsEntry()
                                        .setCookie(U64.of(COOKIE))
                                        .setPacketCount(U64.of(1))
                                        .build()))
                                .build(),
                        F.buildFlowStatsReply()
                                .setEntries(List.of(F.buildFlowStatsEntry()
                                        .setCookie(U64.of(COOKIE))
                                        .setPacketCount(U64.of(2))
                                        .build()))
                                .build()));
        assertThat(asker.receiveMessage().getValue()).isEqualTo(new HostProtocol.ActivationCount(2, 3));
        assertThat(conn.multiparts).isEmpty();
    }

    @Test
    void aReadThatFailsAnswersAnError() {
        FakeAgentConnection conn = new FakeAgentConnection();
        ActorRef<SessionCommand> session = session(conn);
        TestProbe<StatusReply<HostProtocol.ActivationCount>> asker = testKit.createTestProbe();

        session.tell(new SessionCommand.CountPackets(COOKIE, asker.ref()));
        awaitMultipart(conn).replies().completeExceptionally(new TimeoutException("no reply in 5 s"));
        StatusReply<HostProtocol.ActivationCount> reply = asker.receiveMessage();
        assertThat(reply.isError()).isTrue();
        assertThat(reply.getError().getMessage()).contains("flow stats").contains("no reply in 5 s");
    }

    private static ActorRef<SessionCommand> session(FakeAgentConnection conn) {
        return conn.announcedSession(testKit, testKit.createTestProbe());
    }

    /** The session's flow-stats request, once sent (5 s at most). */
    private static FakeAgentConnection.Multipart awaitMultipart(FakeAgentConnection conn) {
        return testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
            assertThat(conn.multiparts).as("the session's flow-stats request").isNotEmpty();
            return conn.multiparts.poll();
        });
    }
}
