package io.portmesh.agent.control;

/**
 * What a connection to the agent's listen port ({@code --listen}, like Open vSwitch's {@code ptcp:}) may do. Either way
 * such a connection stays out of mastership: it can never become MASTER or SLAVE nor move the generation id, so no
 * tool on that port can lock the controllers out (see {@link RoleTable}).
 */
public enum ListenAccess {
    /** Reads only (show, dump-flows, stats); flow-, group- and port-mods and packet-outs are refused with EPERM. */
    READ_ONLY,
    /** Flow edits too, as an EQUAL controller: for a lab, where a person drives the agent with ovs-ofctl. */
    READ_WRITE;

    /** From the configuration's spelling, {@code read-only} or {@code read-write}. */
    public static ListenAccess parse(String value) {
        return switch (value) {
            case "read-only" -> READ_ONLY;
            case "read-write" -> READ_WRITE;
            default ->
                throw new IllegalArgumentException(
                        "listen-access must be read-only or read-write, not '" + value + "'");
        };
    }
}
