package io.portmesh.loadtest.nodeloss;

import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.agent.control.MasterGrant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The agents as they see themselves ({@link DatapathAgent#controlState()}: flow-mods applied, flows held, the MASTER
 * connection's controller and generation, every MASTER grant), read at one instant per agent; and what the node-loss
 * figures make of it.
 */
public final class AgentStates {
    private AgentStates() {}

    /** Every agent's state, in order. */
    public static List<DatapathAgent.ControlState> read(List<DatapathAgent> agents) {
        return agents.stream().map(DatapathAgent::controlState).toList();
    }

    /**
     * Flow-mods applied between two readings that added no flow, summed over the agents: sum of (flow-mods applied
     * after - before) - (flows after - before). The load only creates and binds ports, and every flow-mod such a change
     * needs adds one flow that was not there (a bound port's classifier, unicast, hairpin and multicast flows on its
     * host; its unicast flow on the other hosts of the switch; a host's first port of a switch adds the switch's tunnel
     * flows; groups change by group-mods, which are not counted). So the changes in flight explain exactly the flows
     * added, and anything beyond is a flow-mod that rewrote or removed a flow the agent had: what a reconciliation that
     * was not a no-op sends. 0 is the figure; the baseline before any node is lost checks this accounting.
     */
    public static long unexplainedFlowMods(
            List<DatapathAgent.ControlState> before, List<DatapathAgent.ControlState> after) {
        long sum = 0;
        for (int i = 0; i < before.size(); i++) {
            sum += (after.get(i).flowModsApplied() - before.get(i).flowModsApplied())
                    - (after.get(i).flowCount() - before.get(i).flowCount());
        }
        return sum;
    }

    public static long flowModsApplied(
            List<DatapathAgent.ControlState> before, List<DatapathAgent.ControlState> after) {
        long sum = 0;
        for (int i = 0; i < before.size(); i++) {
            sum += after.get(i).flowModsApplied() - before.get(i).flowModsApplied();
        }
        return sum;
    }

    /** Each agent's master generation in {@code states} (0 without a master). */
    public static List<Long> generations(List<DatapathAgent.ControlState> states) {
        return states.stream()
                .map(s -> s.master().map(MasterGrant::generation).orElse(0L))
                .toList();
    }

    /**
     * Whether every host is mastered again after the controller {@code lost} (its OpenFlow address) went: each agent
     * has a MASTER connection to another controller, and an agent whose master was {@code lost}'s has it with a higher
     * generation than {@code before} (its Host entity elected again, and the agent accepted it). A master on the
     * entity's own node is preferred (architecture 6.3), so an agent mastered by the lost node had its Host entity
     * there.
     */
    public static boolean remastered(List<DatapathAgent> agents, List<DatapathAgent.ControlState> before, String lost) {
        List<DatapathAgent.ControlState> now = read(agents);
        for (int i = 0; i < agents.size(); i++) {
            MasterGrant m = now.get(i).master().orElse(null);
            MasterGrant was = before.get(i).master().orElse(null);
            boolean mustRise = was == null || was.controller().equals(lost);
            if (m == null
                    || m.controller().equals(lost)
                    || (mustRise && m.generation() <= (was == null ? 0 : was.generation()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * What would show two masters of one host, from its agent's MASTER grants: one generation granted to two
     * controllers (two elections that did not see each other), or a grant with a lower generation than an earlier
     * one (the agent refuses those, so this would be an agent bug). Empty when there was at most one master per
     * generation, generations only rising.
     */
    public static List<String> twoMasters(String host, List<MasterGrant> grants) {
        List<String> out = new ArrayList<>();
        Map<Long, String> byGeneration = new HashMap<>();
        long highest = Long.MIN_VALUE;
        for (MasterGrant g : grants) {
            String other = byGeneration.putIfAbsent(g.generation(), g.controller());
            if (other != null && !other.equals(g.controller())) {
                out.add(host + ": generation " + g.generation() + " granted to " + other + " and " + g.controller());
            }
            if (g.generation() < highest) {
                out.add(host + ": generation " + g.generation() + " granted after " + highest);
            }
            highest = Math.max(highest, g.generation());
        }
        return out;
    }
}
