package io.portmesh.sharding.service;

import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import java.util.List;
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

    CompletionStage<HostInfo> createHost(HostId id, Ipv4 tunnelIp);

    CompletionStage<List<HostInfo>> listHosts();

    CompletionStage<HostInfo> getHost(HostId id);

    CompletionStage<PortInfo> createPort(SwitchId switchId, Mac mac, List<Ipv4> ips, Optional<String> name);

    CompletionStage<PortInfo> getPort(PortId id);

    CompletionStage<List<PortInfo>> listPorts(SwitchId switchId);

    /** Unbinds first when bound. */
    CompletionStage<Realization> deletePort(PortId id, boolean waitRealized);

    /** Returns the VLAN the VM's NIC must use on that host. */
    CompletionStage<BindingResult> bindPort(PortId id, HostId host, boolean waitRealized);

    CompletionStage<Realization> unbindPort(PortId id, boolean waitRealized);

    CompletionStage<ClusterInfo> clusterInfo();
}
