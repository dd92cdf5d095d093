package io.portmesh.sharding.host;

import io.portmesh.sharding.lswitch.SwitchMembers;

/**
 * What a {@link HostEntity} sends itself (timers, the answers of its own asks piped back): never sent by another
 * node, so not serializable. Apart from {@link HostProtocol} so that the protocol others see reads without them.
 */
sealed interface HostSelfMessage extends HostProtocol.Command {

    /** Local: while ports arrive here, their port entities are touched now and then ({@link HostArrivals}). */
    record TouchArrivals() implements HostSelfMessage {}

    /** Local: realization waits past their deadline are answered "not realized". */
    record ExpireWaiters() implements HostSelfMessage {}

    /** Local: ask a switch for its members again after a failed ask. */
    record FetchMembers(String switchId) implements HostSelfMessage {}

    /** Local: a fetch's answer; {@code error} is null on success. */
    record MembersFetched(String switchId, SwitchMembers members, String error) implements HostSelfMessage {}

    /** Local: a slot whose master connection went elects another, if it still has one ({@link #MASTER_SETTLE}). */
    record ElectMaster(String slot) implements HostSelfMessage {}

    /** Local: after an incarnation's start grace, whether the active agent is missing with a standby ready. */
    record CheckFailover() implements HostSelfMessage {}

    /** Local: a switch answered the endpoint of failover {@code epoch}; {@code error} is null on success. */
    record EndpointTold(String switchId, long epoch, String error) implements HostSelfMessage {}

    /** Local: ask a switch again for the endpoint of failover {@code epoch}. */
    record EndpointRetry(String switchId, long epoch) implements HostSelfMessage {}

    /** Local: every switch took the endpoint of failover {@code epoch}. */
    record Repointed(long epoch) implements HostSelfMessage {}

    /** Local: the caller of a planned failover waited long enough. */
    record FailoverDeadline(long epoch) implements HostSelfMessage {}

    /** Local: read a slot's agent again after a backoff that followed failed pushes or reads. */
    record ReadAgain(String slot) implements HostSelfMessage {}

    /** Local: a stale refusal that came within the spacing of the last election, looked at again. */
    record RoleStaleAgain() implements HostSelfMessage {}

    /** Local: an election put off for want of a majority ({@link ClusterQuorum}) is tried again. */
    record ElectWhenQuorum() implements HostSelfMessage {}

    /** Local: the spacing of a host's trunk re-assertions ended ({@link TrunkReasserts}): the trunks are looked at. */
    record ReassertTrunks() implements HostSelfMessage {}

    /** Local: after recovery, the incarnation's generation is persisted before anything else is handled. */
    record StartIncarnation() implements HostSelfMessage {}

    /** Local: the straggler grace of a port let go of after its move ({@link HostDepartures}) is over. */
    record DepartureOver(String port, long token) implements HostSelfMessage {}
}
