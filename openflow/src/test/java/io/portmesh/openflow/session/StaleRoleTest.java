package io.portmesh.openflow.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.openflow.OfErrorException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFBadRequestCode;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFRoleRequestFailedCode;
import org.projectfloodlight.openflow.protocol.OFVersion;

/** Only a STALE role refusal is the expected outcome of a quick re-election; anything else stays a warning. */
class StaleRoleTest {
    private static final OFFactory F = OFFactories.getFactory(OFVersion.OF_13);

    private static OfErrorException refusal(OFRoleRequestFailedCode code) {
        return new OfErrorException(
                F.errorMsgs().buildRoleRequestFailedErrorMsg().setCode(code).build());
    }

    @Test
    void aStaleRefusalIsRecognisedAlsoWhenWrappedByTheFuture() {
        assertThat(AgentRequests.isStale(refusal(OFRoleRequestFailedCode.STALE)))
                .isTrue();
        assertThat(AgentRequests.isStale(new CompletionException(refusal(OFRoleRequestFailedCode.STALE))))
                .isTrue();
    }

    @Test
    void otherRefusalsAndFailuresAreNotStale() {
        assertThat(AgentRequests.isStale(refusal(OFRoleRequestFailedCode.UNSUP)))
                .isFalse();
        assertThat(AgentRequests.isStale(refusal(OFRoleRequestFailedCode.BAD_ROLE)))
                .isFalse();
        assertThat(AgentRequests.isStale(new IllegalStateException("connection closed")))
                .isFalse();
        assertThat(AgentRequests.isStale(new OfErrorException(F.errorMsgs()
                        .buildBadRequestErrorMsg()
                        .setCode(OFBadRequestCode.BAD_TYPE)
                        .build())))
                .isFalse();
    }
}
