package io.portmesh.openflow;

/** Which end of an OpenFlow connection this process plays, independent of who opened the TCP connection. */
public enum OfRole {
    /** The local end is a controller: it runs the switch phase of the handshake (features, desc, ports). */
    CONTROLLER,
    /** The local end is a switch: after HELLO every message goes to the listener. */
    SWITCH
}
