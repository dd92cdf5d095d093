package io.portmesh.sharding.resend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.portmesh.sharding.EntityError;
import io.portmesh.sharding.EntityTestKits;
import io.portmesh.sharding.Errors;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A resent copy that its entity answers DUPLICATE (it handled that request id already) is no answer: the first
 * attempt's reply wins when it comes, even after the copy's, and the copy's DUPLICATE is the ask's result only when no
 * attempt is left. One node, a stand-in entity whose first message is answered late (or never) and every later one at
 * once with DUPLICATE, as a port answers a copy.
 */
class ResendableAskTest {
    private static final ActorTestKit testKit = ActorTestKit.create(EntityTestKits.config());
    private static final EntityTypeKey<Msg> TYPE = EntityTypeKey.create(Msg.class, "ResendableAskTest");
    private static final Address REMOVED = new Address("pekko", "gone", "127.0.0.1", 1);

    record Msg(ActorRef<StatusReply<String>> replyTo) {}

    private record Answer(ActorRef<StatusReply<String>> replyTo) implements Runnable {
        @Override
        public void run() {
            replyTo.tell(StatusReply.success("first"));
        }
    }

    @BeforeAll
    static void start() {
        EntityTestKits.joinAsSingleNode(testKit.system());
        ClusterSharding.get(testKit.system()).init(Entity.of(TYPE, ctx -> firstLateThenDuplicate(ctx.getEntityId())));
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    /** The first message answered 500 ms later ("never": not at all); every later one DUPLICATE at once. */
    private static Behavior<Msg> firstLateThenDuplicate(String id) {
        return Behaviors.setup(ctx -> {
            boolean[] seen = {false};
            return Behaviors.receiveMessage(m -> {
                if (seen[0]) {
                    m.replyTo().tell(Errors.duplicate("handled already"));
                } else if (!id.startsWith("never")) {
                    ctx.getSystem()
                            .scheduler()
                            .scheduleOnce(Duration.ofMillis(500), new Answer(m.replyTo()), ctx.getExecutionContext());
                }
                seen[0] = true;
                return Behaviors.same();
            });
        });
    }

    @Test
    void theFirstAttemptsLateReplyWinsOverItsCopysEarlierDuplicate() throws Exception {
        ResendableAsk<Msg, String> ask = ask("late-1", Duration.ofSeconds(5));
        Thread.sleep(100); // the first is with the entity
        assertThat(ask.resendFor(REMOVED)).isTrue();
        assertThat(ask.result().get(5, TimeUnit.SECONDS)).isEqualTo("first");
    }

    @Test
    void whenOnlyTheCopyAnswersTheAskFailsOnceTheFirstTimesOut() throws Exception {
        ResendableAsk<Msg, String> ask = ask("never-1", Duration.ofSeconds(1));
        Thread.sleep(100);
        assertThat(ask.resendFor(REMOVED)).isTrue();
        ExecutionException e =
                assertThrows(ExecutionException.class, () -> ask.result().get(5, TimeUnit.SECONDS));
        // not the copy's DUPLICATE while the first still ran: the first's timeout, the last to end
        assertThat(e.getCause()).isInstanceOf(TimeoutException.class);
        assertThat(Errors.is(e.getCause(), EntityError.Kind.DUPLICATE)).isFalse();
    }

    private static ResendableAsk<Msg, String> ask(String id, Duration timeout) {
        EntityRef<Msg> ref = ClusterSharding.get(testKit.system()).entityRefFor(TYPE, id);
        return new ResendableAsk<>(ref, Msg::new, timeout, testKit.system().executionContext());
    }
}
