package io.portmesh.agent.pipeline;

import io.portmesh.agent.table.Act;
import io.portmesh.agent.table.GroupEntry;
import io.portmesh.agent.table.Instructions;

/**
 * The OpenFlow 1.3 action set: at most one action of each kind (one set-field per field), executed
 * at the end of the pipeline in the spec's order. Fixed slots, so writing and clearing allocate
 * nothing.
 */
final class ActionSet {
    private static final int POP = 1;
    private static final int PUSH = 1 << 1;
    private static final int VLAN_VID = 1 << 2;
    private static final int ETH_DST = 1 << 3;
    private static final int ETH_SRC = 1 << 4;
    private static final int TUNNEL_ID = 1 << 5;
    private static final int TUN_DST = 1 << 6;
    private static final int GROUP = 1 << 7;
    private static final int OUTPUT = 1 << 8;

    private int present;
    private int vlanVid;
    private long ethDst;
    private long ethSrc;
    private long tunnelId;
    private int tunnelDst;
    private GroupEntry group;
    private int outPort;

    void clear() {
        present = 0;
        group = null;
    }

    /** write_actions: each action replaces the one of its kind already in the set. */
    void write(long[] program, GroupEntry[] groups) {
        for (int i = 0; i < program.length; i += 2) {
            long word = program[i];
            long value = program[i + 1];
            switch (Instructions.opOf(word)) {
                case Act.POP_VLAN -> present |= POP;
                case Act.PUSH_VLAN -> present |= PUSH;
                case Act.SET_VLAN_VID -> {
                    present |= VLAN_VID;
                    vlanVid = (int) value;
                }
                case Act.SET_ETH_DST -> {
                    present |= ETH_DST;
                    ethDst = value;
                }
                case Act.SET_ETH_SRC -> {
                    present |= ETH_SRC;
                    ethSrc = value;
                }
                case Act.SET_TUNNEL_ID -> {
                    present |= TUNNEL_ID;
                    tunnelId = value;
                }
                case Act.SET_TUN_IPV4_DST -> {
                    present |= TUN_DST;
                    tunnelDst = (int) value;
                }
                case Act.GROUP -> {
                    present |= GROUP;
                    group = groups[(int) value];
                }
                case Act.OUTPUT -> {
                    present |= OUTPUT;
                    outPort = Instructions.portOf(word);
                }
                default -> {
                    // The compiler admits no other opcode.
                }
            }
        }
    }

    /** Runs the set on {@code p}: pop, push, set-fields, then group (which wins over output) or output. */
    void execute(Packet p, ActionRunner runner, Context c) {
        int s = present;
        if (s == 0) {
            return;
        }
        if ((s & POP) != 0) {
            p.popVlan();
        }
        if ((s & PUSH) != 0) {
            p.pushVlan();
        }
        if ((s & VLAN_VID) != 0) {
            p.setVlanVid(vlanVid);
        }
        if ((s & ETH_DST) != 0) {
            p.setEthDst(ethDst);
        }
        if ((s & ETH_SRC) != 0) {
            p.setEthSrc(ethSrc);
        }
        if ((s & TUNNEL_ID) != 0) {
            p.tunnelId = tunnelId;
        }
        if ((s & TUN_DST) != 0) {
            p.tunnelDstIp = tunnelDst;
        }
        if ((s & GROUP) != 0) {
            runner.group(group, p, c);
        } else if ((s & OUTPUT) != 0) {
            runner.output(outPort, p, c);
        }
    }
}
