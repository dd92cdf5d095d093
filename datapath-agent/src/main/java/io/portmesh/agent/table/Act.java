package io.portmesh.agent.table;

/**
 * One pre-compiled action. A flat final class with an opcode (rather than a class per action) so
 * that the pipeline runs actions through one switch with no megamorphic calls and no Loxi objects.
 */
public final class Act {
    public static final int OUTPUT = 1;
    public static final int PUSH_VLAN = 2;
    public static final int POP_VLAN = 3;
    public static final int SET_VLAN_VID = 4;
    public static final int SET_ETH_DST = 5;
    public static final int SET_ETH_SRC = 6;
    public static final int SET_TUNNEL_ID = 7;
    public static final int SET_TUN_IPV4_DST = 8;
    public static final int GROUP = 9;

    public final int op;
    /** Output port (OF port number, reserved ports as their unsigned 32-bit values). */
    public final int port;
    /** Set-field value: a vid, a MAC as a long, a tunnel id, an IPv4 address. */
    public final long value;
    /** Target of a group action; its buckets are read at run time, so a group modify applies at once. */
    public final GroupEntry group;

    private Act(int op, int port, long value, GroupEntry group) {
        this.op = op;
        this.port = port;
        this.value = value;
        this.group = group;
    }

    static Act output(int port) {
        return new Act(OUTPUT, port, 0, null);
    }

    static Act of(int op) {
        return new Act(op, 0, 0, null);
    }

    static Act set(int op, long value) {
        return new Act(op, 0, value, null);
    }

    static Act group(GroupEntry group) {
        return new Act(GROUP, 0, group.id, group);
    }
}
