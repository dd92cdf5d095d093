package io.portmesh.openflow;

import static io.portmesh.openflow.TestConfigs.loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.projectfloodlight.openflow.protocol.OFBadRequestCode;
import org.projectfloodlight.openflow.protocol.OFBarrierReply;
import org.projectfloodlight.openflow.protocol.OFFlowStatsReply;
import org.projectfloodlight.openflow.protocol.OFFlowStatsRequest;
import org.projectfloodlight.openflow.protocol.OFGetConfigReply;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFRoleReply;
import org.projectfloodlight.openflow.protocol.OFRoleRequest;
import org.projectfloodlight.openflow.protocol.OFStatsReplyFlags;
import org.projectfloodlight.openflow.protocol.errormsg.OFBadRequestErrorMsg;
import org.projectfloodlight.openflow.types.U64;

/** Request/reply machinery of {@link OfConnection}: a controller-role server and a scripted switch client. */
class OfConnectionRequestsTest {
    private static final Duration SHORT_TIMEOUT = Duration.ofMillis(500);

    private final Closer closer = new Closer();
    private final FakeSwitch fake = new FakeSwitch(7, "host-req/a", 3);
    private final List<OFMessage> script = new ArrayList<>();
    private final RecordingListener controller = new RecordingListener();
    private RecordingListener agent;
    private OfConnection toSwitch;
    private OfConnection toController;

    @BeforeEach
    void connect(TestInfo test) throws Exception {
        // only the timeout test wants a short request timeout; a 10,000 flow-mod barrier on a loaded
        // 2-core machine must not hit it
        OfConfig config = TestConfigs.relaxed()
                .withRequestTimeout(
                        test.getDisplayName().contains("TimesOut") ? SHORT_TIMEOUT : Duration.ofSeconds(30));
        agent = new RecordingListener((c, m) -> {
            fake.accept(c, m);
            if (m instanceof OFFlowStatsRequest request) {
                // three parts with the MORE flag on the first two, and an unsolicited message in between
                c.send(flowStatsPart(request.getXid(), 1, true));
                c.send(SampleMessages.all().get("PORT_STATUS"));
                c.send(flowStatsPart(request.getXid(), 2, true));
                c.send(flowStatsPart(request.getXid(), 3, false));
            } else if (m instanceof OFRoleRequest request) {
                c.send(FakeSwitch.F
                        .errorMsgs()
                        .buildBadRequestErrorMsg()
                        .setXid(request.getXid())
                        .setCode(OFBadRequestCode.IS_SLAVE)
                        .setData(org.projectfloodlight.openflow.types.OFErrorCauseData.of(
                                SampleMessages.encode(request), request.getVersion()))
                        .build());
            }
            synchronized (script) {
                script.add(m);
            }
        });
        OfServer server = closer.add(
                OfServer.builder(OfRole.CONTROLLER, controller).config(config).bind(loopback(0)));
        closer.add(OfClient.builder(OfRole.SWITCH, agent).config(config).connect(loopback(server.port())));
        toSwitch = controller.awaitConnected();
        toController = agent.awaitConnected();
    }

    @AfterEach
    void tearDown() throws Exception {
        closer.close();
    }

    private static OFFlowStatsReply flowStatsPart(long xid, int cookie, boolean more) {
        OFFlowStatsReply sample = (OFFlowStatsReply) SampleMessages.all().get("FLOW reply");
        return sample.createBuilder()
                .setXid(xid)
                .setFlags(more ? Set.of(OFStatsReplyFlags.REPLY_MORE) : Set.of())
                .setEntries(List.of(sample.getEntries()
                        .get(0)
                        .createBuilder()
                        .setCookie(U64.of(cookie))
                        .build()))
                .build();
    }

    @Test
    void barrierCompletesAfterEveryEarlierFlowModWasReceived() throws Exception {
        List<OFMessage> batch = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            batch.add(FlowMods.bulk(i));
        }
        assertThat(toSwitch.send(batch)).isTrue();
        OFBarrierReply reply = toSwitch.barrier().get(30, TimeUnit.SECONDS);

        assertThat(reply.getXid()).isNotZero();
        assertThat(fake.flowModsAtBarrier).containsExactly(10_000);
        assertThat(toSwitch.stats().messagesOut()).isGreaterThanOrEqualTo(10_001);
    }

    @Test
    void multipartRepliesAreAggregatedUntilMoreClears() throws Exception {
        OFFlowStatsRequest request = (OFFlowStatsRequest) SampleMessages.all().get("FLOW request");
        List<OFFlowStatsReply> parts = toSwitch.multipart(
                        request.createBuilder().setXid(toSwitch.nextXid()).build())
                .get(10, TimeUnit.SECONDS);

        assertThat(parts).hasSize(3);
        assertThat(parts)
                .flatExtracting(OFFlowStatsReply::getEntries)
                .extracting(e -> e.getCookie().getValue())
                .containsExactly(1L, 2L, 3L);
        // the message between the parts was not swallowed
        assertThat(controller.awaitMessage(org.projectfloodlight.openflow.protocol.OFPortStatus.class))
                .isNotNull();
    }

    @Test
    void anErrorWithThePendingXidFailsThatRequest() throws Exception {
        OFRoleRequest role = (OFRoleRequest) SampleMessages.all().get("ROLE_REQUEST");
        CompletableFuture<OFRoleReply> future =
                toSwitch.request(role.createBuilder().setXid(0).build(), OFRoleReply.class);

        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(OfErrorException.class, e -> {
                    assertThat(e.error()).isInstanceOf(OFBadRequestErrorMsg.class);
                    assertThat(((OFBadRequestErrorMsg) e.error()).getCode()).isEqualTo(OFBadRequestCode.IS_SLAVE);
                });
        assertThat(controller.messages)
                .as("a matched error is not also unsolicited")
                .isEmpty();
    }

    @Test
    void aRequestWithoutReplyTimesOut() {
        fake.answerGetConfig = false;
        CompletableFuture<OFGetConfigReply> future = toSwitch.request(
                FakeSwitch.F.buildGetConfigRequest().setXid(toSwitch.nextXid()).build(), OFGetConfigReply.class);
        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(TimeoutException.class)
                .hasMessageContaining("500 ms");
    }

    @Test
    void pendingRequestsFailWhenTheConnectionDrops() throws Exception {
        fake.answerGetConfig = false;
        CompletableFuture<OFGetConfigReply> future = toSwitch.request(
                FakeSwitch.F.buildGetConfigRequest().setXid(toSwitch.nextXid()).build(), OFGetConfigReply.class);
        toController.close();

        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(OfDisconnectedException.class);
        RecordingListener.Disconnect d = controller.awaitDisconnected();
        assertThat(d.cause()).isInstanceOf(OfDisconnectedException.class);
        assertThat(agent.awaitDisconnected().cause()).as("closed locally").isNull();
        assertThatThrownBy(() -> toSwitch.barrier().get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(OfDisconnectedException.class);
        assertThat(toSwitch.send(FlowMods.bulk(1))).isFalse();
    }

    @Test
    void unsolicitedErrorsGoToTheListener() throws Exception {
        OFMessage error = SampleMessages.all().get("ERROR"); // xid 7, nothing pending with it
        toController.send(error);
        assertThat(controller.awaitMessage(org.projectfloodlight.openflow.protocol.OFErrorMsg.class))
                .isEqualTo(error);
    }

    @Test
    void xidsAreNeverZeroAndDistinct() {
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            long xid = toSwitch.nextXid();
            assertThat(xid).isNotZero();
            assertThat(seen.add(xid)).isTrue();
        }
    }

    @Test
    void theAttachmentSlotKeepsWhatTheOwnerPutThere() {
        Object session = new Object();
        toSwitch.attach(session);
        assertThat(toSwitch.attachment()).isSameAs(session);
    }
}
