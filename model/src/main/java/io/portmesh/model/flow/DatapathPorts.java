package io.portmesh.model.flow;

/** Port numbering shared by the controller's plan and the datapath agent (OpenFlow 1.3 numbers for reserved ports). */
public final class DatapathPorts {
    /** The VM-facing 802.1Q trunk. */
    public static final int TRUNK = 1;
    /** The flow-based VXLAN tunnel port. */
    public static final int TUNNEL = 2;

    public static final int IN_PORT = 0xFFFFFFF8;
    public static final int TABLE = 0xFFFFFFF9;
    public static final int ALL = 0xFFFFFFFC;
    public static final int CONTROLLER = 0xFFFFFFFD;
    public static final int ANY = 0xFFFFFFFF;

    private DatapathPorts() {}
}
