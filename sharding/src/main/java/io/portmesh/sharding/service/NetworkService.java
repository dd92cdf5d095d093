package io.portmesh.sharding.service;

import io.portmesh.model.AgentPin;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The northbound operations of the controller, independent of HTTP: the REST routes and the tests call this, and
 * the implementation talks to the sharded entities. Every stage fails with {@link io.portmesh.model.ValidationException}
 * (bad input, 400), {@link NotFoundException} (404), {@link ConflictException} (409) or {@link UnavailableException}
 * (503: an entity did not answer in time; its message says which, and whether a change may have been applied, in
 * words without class names); anything else is a bug (500).
 *
 * <p>{@code waitRealized}: when true, the stage completes only when every affected agent has acknowledged the
 * change with a barrier, or when the realization timeout passes; {@link Realization} says which.
 */
public interface NetworkService {
    CompletionStage<SwitchInfo> createSwitch(SwitchId id, Optional<Integer> vni);

    CompletionStage<List<SwitchInfo>> listSwitches();

    CompletionStage<SwitchInfo> getSwitch(SwitchId id);

    /** Refused with a conflict while the switch still has ports. */
    CompletionStage<Void> deleteSwitch(SwitchId id);

    default CompletionStage<HostInfo> createHost(HostId id, Ipv4 tunnelIp) {
        return createHost(id, tunnelIp, Map.of());
    }

    /**
     * Registers a host; {@code pins} (slot -> pin, may be empty) are what its agents must present
     * (docs/architecture.md section 13.1). Registering again with the same tunnel IP answers the host as it is;
     * with other non-empty pins it is a conflict ({@link #pinAgents} changes them).
     */
    CompletionStage<HostInfo> createHost(HostId id, Ipv4 tunnelIp, Map<String, AgentPin> pins);

    /**
     * Replaces the host's pins (empty: none); connections that do not fit them are refused at once. Refused: an
     * unknown host (404).
     */
    CompletionStage<HostInfo> pinAgents(HostId id, Map<String, AgentPin> pins);

    CompletionStage<List<HostInfo>> listHosts();

    CompletionStage<HostInfo> getHost(HostId id);

    /**
     * A planned switch-over of the host to its standby switch VM (docs/architecture.md section 7.2), make-before-break:
     * the peers are re-pointed to the standby's tunnel endpoint, then the active's trunk goes down and the standby's
     * up. Answers the host once done, or as it is when the realization timeout passed (the new active slot's trunk
     * is then not yet {@code up}). Refused: an unknown host (404), a standby that is not connected, did not announce
     * its tunnel endpoint or does not hold the current plan yet, or a failover already under way (409).
     */
    CompletionStage<HostInfo> failover(HostId id);

    CompletionStage<PortInfo> createPort(SwitchId switchId, Mac mac, List<Ipv4> ips, Optional<String> name);

    CompletionStage<PortInfo> getPort(PortId id);

    CompletionStage<List<PortInfo>> listPorts(SwitchId switchId);

    /** Unbinds first when bound. */
    CompletionStage<Realization> deletePort(PortId id, boolean waitRealized);

    /**
     * Returns the VLAN the VM's NIC must use on that host. A port bound to another host is moved there live (as
     * {@link #startMigration}), and the VLAN is the one on the new host.
     */
    CompletionStage<BindingResult> bindPort(PortId id, HostId host, boolean waitRealized);

    CompletionStage<Realization> unbindPort(PortId id, boolean waitRealized);

    /**
     * Starts a live move of a bound port to {@code to} (docs/architecture.md section 7.1); the answer carries the VLAN
     * the VM's NIC uses on {@code to}. With {@code waitRealized} it comes once the destination's and every peer's
     * agents acknowledged the dual delivery (the destination is ready). Refused: an unbound port (400), an unknown
     * host (404), no free VLAN on {@code to} (409). A move to the host the port is on changes nothing; a move to
     * another host while one is under way and not activated takes the first one back and starts this one.
     */
    CompletionStage<MigrationInfo> startMigration(PortId id, HostId to, boolean waitRealized);

    /** The move under way, or the port's last one; 404 when the port never moved. */
    CompletionStage<MigrationInfo> getMigration(PortId id);

    /**
     * Cancels a move that is not activated: the destination is released, the source never stopped. 409 when there is
     * no move to cancel (none under way, or activated already).
     */
    CompletionStage<MigrationInfo> cancelMigration(PortId id, boolean waitRealized);

    /**
     * Activates the move from the inventory, as the VM's RARP would (a VM whose NIC is down sends none). With
     * {@code waitRealized} the answer comes once every peer points at the destination and the source is released.
     * 409 when there is no move under way.
     */
    CompletionStage<MigrationInfo> completeMigration(PortId id, boolean waitRealized);

    /** The port's own journal, oldest first: created, bound, each move's steps, unbound. 404 for an unknown port. */
    CompletionStage<List<PortHistoryEntry>> portHistory(PortId id);

    /**
     * The members as this node sees them (status, reachability, the leader) and their shard counts; answers within
     * about a second even while a member is dead, then with the counts that arrived ({@link ClusterInfo#shardStats}).
     */
    CompletionStage<ClusterInfo> clusterInfo();
}
