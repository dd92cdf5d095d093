package io.portmesh.sharding.port;

import io.portmesh.sharding.host.HostProtocol;
import io.portmesh.sharding.lswitch.SwitchProtocol;
import java.util.List;

/**
 * The messages a port sends itself: each step's result (the answer of the entity it asked, or the error in its
 * place) and its timers. They never leave the port's node, hence not {@link io.portmesh.model.CborSerializable}; apart
 * from {@link PortProtocol} because no other entity may send them.
 */
sealed interface SelfMessage extends PortProtocol.Command {
    record JoinedSwitch(PortProtocol.Create create, Integer vni, Throwable error) implements SelfMessage {}

    record HostBound(HostProtocol.Bound bound, Throwable error) implements SelfMessage {}

    record HostUnbound(Long planVersion, Throwable error) implements SelfMessage {}

    record AskHostAgain() implements SelfMessage {}

    record SwitchTold(SwitchProtocol.HostVersions versions, Throwable error) implements SelfMessage {}

    record LeftSwitch(Throwable error) implements SelfMessage {}

    record ClientDeadline() implements SelfMessage {}

    /** A move's step towards the switch answered (the phase in the state says which step). */
    record MoveSwitchTold(SwitchProtocol.HostVersions versions, Throwable error) implements SelfMessage {}

    /** The host a move leaves (the source once activated, the destination when taken back) released the port. */
    record MoveHostReleased(String host, Long version, Throwable error) implements SelfMessage {}

    /** The destination confirmed the arrival (its activation flows go). */
    record ArrivalConfirmed(String host, Long version, Throwable error) implements SelfMessage {}

    /** With awaitRealized: the hosts whose agents did not acknowledge a move's last steps in time. */
    record CleanupRealized(List<String> behind) implements SelfMessage {}

    /** A move step that failed, tried again. */
    record MoveStepAgain() implements SelfMessage {}

    /** The move was not activated in time (or a deadline check found no answer: look again). */
    record MoveDeadline() implements SelfMessage {}

    /**
     * The destination's answer to a deadline check ({@code MoveDeadlineCheck}) of the move whose deadline was
     * {@code deadline} (which move it was: a later one has another), or the error in its place.
     */
    record ActivationCounted(long deadline, HostProtocol.ActivationCount count, Throwable error)
            implements SelfMessage {}

    /** Take the move under way back, then handle the request that asked for it ({@code then}; may be null). */
    record Unwind(String endState, PortProtocol.Request<?> then) implements SelfMessage {}

    /** The switch did not confirm a move's start: tell it again (the port is not busy meanwhile). */
    record TellMovingAgain() implements SelfMessage {}
}
