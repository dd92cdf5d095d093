package io.portmesh.sharding;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.ValidationException;
import io.portmesh.sharding.service.ConflictException;
import io.portmesh.sharding.service.NotFoundException;
import io.portmesh.sharding.service.UnavailableException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.pattern.AskTimeoutException;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;

/** Entity errors must come back as the exception the API maps to the right status, and timeouts in words. */
class ErrorsTest {
    @Test
    void eachKindComesBackAsItsException() {
        assertThat(Errors.toException(Errors.invalid("mac", "bad").getError()))
                .isInstanceOf(ValidationException.class)
                .hasMessage("mac: bad")
                .extracting(e -> ((ValidationException) e).field())
                .isEqualTo("mac");
        assertThat(Errors.toException(Errors.conflict("exists").getError())).isInstanceOf(ConflictException.class);
        assertThat(Errors.toException(Errors.conflict("vni", "taken by blue").getError()))
                .isInstanceOf(ConflictException.class)
                .hasMessage("vni: taken by blue");
        assertThat(Errors.toException(Errors.notFound("no port").getError())).isInstanceOf(NotFoundException.class);
        assertThat(Errors.toException(Errors.unavailable("slow").getError()))
                .isInstanceOf(UnavailableException.class)
                .hasMessage("slow");
    }

    /** The text of Pekko's timeout of an ask to a sharded entity, as it comes. */
    private static final String ASK_TIMEOUT = "Ask timed out on [EntityRef(EntityTypeKey[io.portmesh.sharding.host"
            + ".HostEntity$Command](Host), esx-2)] after [15000 ms]. Message of type"
            + " [io.portmesh.sharding.host.HostEntity$Get]. A typical reason for `AskTimeoutException` is that the"
            + " recipient actor didn't send a reply.";

    @Test
    void aTimeoutPassedOnSaysWhichEntityDidNotAnswerWithoutClassNames() {
        StatusReply<Object> passed = Errors.passOn(new CompletionException(new AskTimeoutException(ASK_TIMEOUT)));
        assertThat(Errors.toException(passed.getError()))
                .isInstanceOf(UnavailableException.class)
                .hasMessage("Host esx-2 did not answer in time (waited 15 s)");
        assertThat(Errors.describe(new TimeoutException("Ask timed out on [Actor[pekko://x/user/y]] after [500 ms]")))
                .isEqualTo("an entity it asked did not answer in time");
        assertThat(Errors.describe(new IllegalStateException("io.portmesh.secret")))
                .doesNotContain("IllegalStateException", "secret");
    }

    /** A failure put in words for a client: an entity's refusal is its own text, anything else loses its exception. */
    @Test
    void wordsKeepARefusalAndLoseAnException() {
        assertThat(Errors.words(new CompletionException(new AskTimeoutException(ASK_TIMEOUT))))
                .isEqualTo("Host esx-2 did not answer in time (waited 15 s)");
        assertThat(Errors.words(new IllegalStateException("io.portmesh.secret boom")))
                .isEqualTo("an entity it asked failed (the controller log has the cause)");
        assertThat(Errors.words(Errors.conflict("vni", "taken by blue").getError()))
                .isEqualTo("vni: taken by blue");
        assertThat(Errors.seconds(Duration.ofMillis(1500))).isEqualTo("1.5 s");
        assertThat(Errors.seconds(Duration.ofSeconds(5))).isEqualTo("5 s");
    }

    @Test
    void aTimeoutPassedOnBecomesUnavailableAndAnEntityErrorStaysWhatItWas() {
        StatusReply<Object> timeout = Errors.passOn(new CompletionException(new TimeoutException("ask timed out")));
        assertThat(Errors.toException(timeout.getError())).isInstanceOf(UnavailableException.class);
        assertThat(Errors.isEntityError(new TimeoutException())).isFalse();
        StatusReply<Object> conflict =
                Errors.passOn(Errors.conflict("bound elsewhere").getError());
        assertThat(Errors.toException(conflict.getError()))
                .isInstanceOf(ConflictException.class)
                .hasMessage("bound elsewhere");
        assertThat(Errors.isEntityError(Errors.conflict("x").getError())).isTrue();
        assertThat(Errors.is(
                        new CompletionException(Errors.notFound("no port").getError()), EntityError.Kind.NOT_FOUND))
                .isTrue();
        assertThat(Errors.is(Errors.notFound("no port").getError(), EntityError.Kind.CONFLICT))
                .isFalse();
    }
}
