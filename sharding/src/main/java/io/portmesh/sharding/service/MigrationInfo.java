package io.portmesh.sharding.service;

import io.portmesh.model.CborSerializable;

/**
 * A port's live move as the API shows it (docs/architecture.md section 7.1): the move under way, or the last one.
 *
 * <ul>
 *   <li>{@code state}: {@code NONE} (a move to the host the port is on: nothing to do), {@code PREPARING} (the destination is being asked for a VLAN and flows), {@code MIGRATING}
 *       (the destination is ready, frames go to both hosts, waiting for the VM's RARP or an explicit complete),
 *       {@code ACTIVATED} (the VM runs on the destination: peers are being re-pointed and the source released),
 *       {@code ROLLING_BACK} (the move was cancelled or not activated in time: the destination is being released),
 *       and the end states {@code COMPLETED}, {@code ROLLED_BACK}, {@code CANCELLED};
 *   <li>{@code fromVlan}/{@code toVlan}: the access VLAN of the VM's NIC on each host ({@code toVlan} is what the
 *       inventory gives the NIC on the destination before the VM runs there; null while PREPARING);
 *   <li>{@code activatedBy}: {@code RARP} (the VM's RARP or gratuitous ARP seen by the destination's switch) or
 *       {@code API} (an explicit complete), null until activated;
 *   <li>times are ISO-8601 instants (null until reached); {@code deadline}: when an unactivated move rolls back;
 *   <li>{@code realization}: how far the answered step got when the request waited for it;
 *   <li>{@code repointedAt}: when every peer's agents acknowledged that the port is on the destination only (the
 *       activation's switch step, awaited), null until then or when a peer did not acknowledge in time.
 * </ul>
 */
public record MigrationInfo(
        String port,
        String state,
        String from,
        String to,
        Integer fromVlan,
        Integer toVlan,
        String activatedBy,
        String startedAt,
        String deadline,
        String activatedAt,
        String endedAt,
        Realization realization,
        String repointedAt)
        implements CborSerializable {
    /** The answer to a move to the host the port is on: nothing moved. */
    public static final String NONE = "NONE";

    public static final String PREPARING = "PREPARING";
    public static final String MIGRATING = "MIGRATING";
    public static final String ACTIVATED = "ACTIVATED";
    public static final String ROLLING_BACK = "ROLLING_BACK";
    public static final String COMPLETED = "COMPLETED";
    public static final String ROLLED_BACK = "ROLLED_BACK";
    public static final String CANCELLED = "CANCELLED";

    /** The answer to a move to the host the port is on: nothing moved ({@link #NONE}). */
    public static MigrationInfo notMoved(String port, String host, int vlan, Realization realization) {
        return new MigrationInfo(port, NONE, host, host, vlan, vlan, null, null, null, null, null, realization, null);
    }

    public MigrationInfo withRealization(Realization r) {
        return new MigrationInfo(
                port,
                state,
                from,
                to,
                fromVlan,
                toVlan,
                activatedBy,
                startedAt,
                deadline,
                activatedAt,
                endedAt,
                r,
                repointedAt);
    }
}
