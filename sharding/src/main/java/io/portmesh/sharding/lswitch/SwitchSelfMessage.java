package io.portmesh.sharding.lswitch;

import io.portmesh.sharding.lswitch.SwitchProtocol.AddPort;
import io.portmesh.sharding.lswitch.SwitchProtocol.HostVersions;
import io.portmesh.sharding.lswitch.SwitchProtocol.KeepBinding;
import java.util.Set;
import org.apache.pekko.pattern.StatusReply;

/**
 * What a {@link LogicalSwitchEntity} sends itself (the answers of its own asks piped back): never sent by another
 * node, so not serializable. Apart from {@link SwitchProtocol} so that the protocol others see reads without them.
 */
sealed interface SwitchSelfMessage extends SwitchProtocol.Command {

    /**
     * Local: whether the unbound member that holds the MAC {@code original} asks for is a ghost: a member the switch
     * added for a port whose own Created event was never persisted (its node died in between), so no port entity
     * exists to take it back.
     */
    record GhostChecked(AddPort original, String owner, boolean ghost) implements SwitchSelfMessage {}

    /**
     * Local: a fan-out of membership version {@code version} ended with {@code reply} (a success: every host told
     * answered); {@code keep}: the one {@link KeepBinding}s wait for.
     */
    record Told(long version, boolean keep, StatusReply<HostVersions> reply) implements SwitchSelfMessage {}

    /** Local, a timer: time to ask about the members that stayed unconfirmed ({@link MemberChecks}). */
    record CheckMembers() implements SwitchSelfMessage {}

    /**
     * Local: the answers of check round {@code round}: the asked members whose port answered that it exists, and those
     * whose port answered that it does not (ghosts). A member whose port did not answer is in neither.
     */
    record MembersChecked(long round, Set<String> created, Set<String> ghosts) implements SwitchSelfMessage {}
}
