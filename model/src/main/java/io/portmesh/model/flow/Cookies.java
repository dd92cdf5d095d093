package io.portmesh.model.flow;

/**
 * Cookies tie every flow on a switch to the controller's plan. The top 16 bits mark a flow as Portmesh's (so that
 * reconciliation never touches flows someone else installed); the next 8 bits say which rule of the compiler made it.
 */
public final class Cookies {
    public static final long PORTMESH = 0x504DL << 48;
    public static final long OWNER_MASK = 0xFFFFL << 48;

    public static final int CLASSIFY_TRUNK = 1;
    public static final int CLASSIFY_TUNNEL = 2;
    public static final int LOCAL_FROM_TRUNK = 3;
    public static final int LOCAL = 4;
    public static final int REMOTE = 5;
    public static final int FLOOD_FROM_TRUNK = 6;
    public static final int FLOOD_FROM_TUNNEL = 7;
    /** The activation flows of a port arriving in a live move (id: its VLAN); see {@link FlowCompiler}. */
    public static final int ACTIVATE = 8;
    /** The straggler flow of a port this host let go of after it moved away (id: its MAC); see {@link MoveFlows}. */
    public static final int STRAGGLER = 9;

    private Cookies() {}

    public static long cookie(int rule, long id) {
        return PORTMESH | ((long) (rule & 0xFF) << 40) | (id & 0xFF_FFFF_FFFFL);
    }

    public static boolean isPortmesh(long cookie) {
        return (cookie & OWNER_MASK) == PORTMESH;
    }

    /**
     * Groups carry no cookie in OpenFlow 1.3, so Portmesh owns the group ids its compiler derives and nothing else:
     * {@code 0x01000000 | vni} (flood from tunnel), {@code 0x02000000 | vlan} (flood from trunk) and
     * {@code (0x03 + chunk) << 24 | vni} (flood to remote hosts, chunks below the reserved ids). Ids below
     * {@code 0x01000000} are free for anyone else; reconciliation never reads, changes or deletes a group outside this
     * space.
     */
    public static boolean isPortmeshGroup(int groupId) {
        int kind = groupId >>> 24;
        int low = groupId & 0xFF_FFFF;
        if (kind == FlowCompiler.GROUP_FLOOD_FROM_TUNNEL >>> 24) {
            return low >= 1;
        } else if (kind == FlowCompiler.GROUP_FLOOD_FROM_TRUNK >>> 24) {
            return low >= 1 && low <= 4094;
        }
        return kind >= FlowCompiler.GROUP_FLOOD_TO_TUNNEL >>> 24
                && kind < (FlowCompiler.GROUP_FLOOD_TO_TUNNEL >>> 24) + FlowCompiler.MAX_REMOTE_HOST_GROUPS
                && low >= 1;
    }

    public static int rule(long cookie) {
        return (int) (cookie >>> 40) & 0xFF;
    }
}
