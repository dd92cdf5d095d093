package io.portmesh.sharding;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.ValidationException;
import io.portmesh.sharding.service.ConflictException;
import io.portmesh.sharding.service.NotFoundException;
import io.portmesh.sharding.service.UnavailableException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;

/** Entity errors cross nodes as text; they must come back as the exception the API maps to the right status. */
class ErrorsTest {
    @Test
    void eachKindComesBackAsItsException() {
        assertThat(Errors.toException(Errors.invalid("mac", "bad").getError()))
                .isInstanceOf(ValidationException.class)
                .hasMessage("mac: bad");
        assertThat(Errors.toException(Errors.conflict("exists").getError())).isInstanceOf(ConflictException.class);
        assertThat(Errors.toException(Errors.conflict("vni", "taken by blue").getError()))
                .isInstanceOf(ConflictException.class)
                .hasMessage("vni: taken by blue");
        assertThat(Errors.toException(Errors.notFound("no port").getError())).isInstanceOf(NotFoundException.class);
        assertThat(Errors.toException(Errors.unavailable("slow").getError()))
                .isInstanceOf(UnavailableException.class)
                .hasMessage("slow");
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
    }
}
