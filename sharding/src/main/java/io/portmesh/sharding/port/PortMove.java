package io.portmesh.sharding.port;

import io.portmesh.model.CborSerializable;
import io.portmesh.sharding.service.MigrationInfo;
import io.portmesh.sharding.service.Realization;
import java.time.Instant;

/**
 * A port's live move (docs/architecture.md section 7.1), under way or the last one, as its events made it. The
 * phases under way are {@link MigrationInfo#PREPARING}, {@link MigrationInfo#MIGRATING},
 * {@link MigrationInfo#ACTIVATED} and {@link MigrationInfo#ROLLING_BACK}; the ended ones
 * {@link MigrationInfo#COMPLETED}, {@link MigrationInfo#ROLLED_BACK} and {@link MigrationInfo#CANCELLED}.
 * {@code unwindAs}: while ROLLING_BACK, the end state it goes to. Times are epoch milliseconds, 0 until reached.
 */
public record PortMove(
        String phase,
        String from,
        int fromVlan,
        String fromTunnelIp,
        String to,
        int toVlan,
        String toTunnelIp,
        String activatedBy,
        String unwindAs,
        long startedAt,
        long deadline,
        long activatedAt,
        long endedAt,
        long repointedAt)
        implements CborSerializable {

    static PortMove preparing(PortState s, String to, long now) {
        return new PortMove(
                MigrationInfo.PREPARING, s.host(), s.vlan(), s.tunnelIp(), to, 0, null, null, null, now, 0, 0, 0, 0);
    }

    PortMove migrating(int vlan, String tunnelIp, long deadlineMillis) {
        return new PortMove(
                MigrationInfo.MIGRATING,
                from,
                fromVlan,
                fromTunnelIp,
                to,
                vlan,
                tunnelIp,
                null,
                null,
                startedAt,
                deadlineMillis,
                0,
                0,
                0);
    }

    PortMove activated(String by, long at) {
        return progress(MigrationInfo.ACTIVATED, by, null, at, 0, 0);
    }

    PortMove unwinding(String endState) {
        return progress(MigrationInfo.ROLLING_BACK, null, endState, 0, 0, 0);
    }

    /** Ended at {@code at}; {@code repointed}: when every peer acknowledged the port on the destination (0: not). */
    PortMove ended(String endState, long at, long repointed) {
        return progress(endState, activatedBy, null, activatedAt, at, repointed);
    }

    PortMove ended(String endState, long at) {
        return ended(endState, at, repointedAt);
    }

    /** The same route (hosts, VLANs, endpoints, start and deadline) in another phase. */
    private PortMove progress(String newPhase, String by, String endAs, long activated, long ended, long repointed) {
        return new PortMove(
                newPhase,
                from,
                fromVlan,
                fromTunnelIp,
                to,
                toVlan,
                toTunnelIp,
                by,
                endAs,
                startedAt,
                deadline,
                activated,
                ended,
                repointed);
    }

    /** Under way: the port is on two hosts, or about to be. */
    boolean underWay() {
        return !ended();
    }

    boolean ended() {
        return phase.equals(MigrationInfo.COMPLETED)
                || phase.equals(MigrationInfo.ROLLED_BACK)
                || phase.equals(MigrationInfo.CANCELLED);
    }

    boolean is(String p) {
        return phase.equals(p);
    }

    MigrationInfo info(String port, Realization realization) {
        return new MigrationInfo(
                port,
                phase,
                from,
                to,
                fromVlan == 0 ? null : fromVlan,
                toVlan == 0 ? null : toVlan,
                activatedBy,
                time(startedAt),
                time(deadline),
                time(activatedAt),
                time(endedAt),
                realization,
                time(repointedAt));
    }

    private static String time(long millis) {
        return millis == 0 ? null : Instant.ofEpochMilli(millis).toString();
    }
}
