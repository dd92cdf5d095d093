package io.portmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.NoNodeAvailableException;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import com.datastax.oss.driver.api.core.servererrors.SyntaxError;
import com.datastax.oss.driver.api.core.servererrors.UnauthorizedException;
import com.datastax.oss.driver.api.core.servererrors.UnavailableException;
import org.junit.jupiter.api.Test;

/** Which driver errors the schema Job tries again (a Cassandra not ready yet) and which end it (a refused statement). */
class SchemaCommandRetryTest {
    @Test
    void aCassandraThatDoesNotAnswerIsOverloadedOrShortOfReplicasIsTriedAgain() {
        assertThat(SchemaCommand.retryable(new NoNodeAvailableException())).isTrue();
        assertThat(SchemaCommand.retryable(new DriverTimeoutException("no answer in 10 s")))
                .isTrue();
        assertThat(SchemaCommand.retryable(new OverloadedException(null))).isTrue();
        assertThat(SchemaCommand.retryable(new UnavailableException(null, DefaultConsistencyLevel.QUORUM, 2, 1)))
                .isTrue();
    }

    @Test
    void aStatementCassandraRefusesEndsTheJobAtOnce() {
        assertThat(SchemaCommand.retryable(new SyntaxError(null, "line 1:7 no viable alternative")))
                .isFalse();
        assertThat(SchemaCommand.retryable(new InvalidQueryException(null, "unknown keyspace")))
                .isFalse();
        assertThat(SchemaCommand.retryable(new UnauthorizedException(null, "no CREATE permission")))
                .isFalse();
    }
}
