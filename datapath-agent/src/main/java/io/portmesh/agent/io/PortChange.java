package io.portmesh.agent.io;

/** Why a port is reported to the controller; maps one to one to OFPPR_ADD, OFPPR_DELETE and OFPPR_MODIFY. */
public enum PortChange {
    ADDED,
    REMOVED,
    MODIFIED
}
