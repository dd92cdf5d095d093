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

    private Cookies() {}

    public static long cookie(int rule, long id) {
        return PORTMESH | ((long) (rule & 0xFF) << 40) | (id & 0xFF_FFFF_FFFFL);
    }

    public static boolean isPortmesh(long cookie) {
        return (cookie & OWNER_MASK) == PORTMESH;
    }

    public static int rule(long cookie) {
        return (int) (cookie >>> 40) & 0xFF;
    }
}
