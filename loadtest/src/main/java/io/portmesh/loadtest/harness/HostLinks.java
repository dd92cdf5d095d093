package io.portmesh.loadtest.harness;

import io.portmesh.sim.LinkImpairment;
import io.portmesh.sim.PseudoWire;
import io.portmesh.sim.SimulatedVm;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The simulated VMs' access links by host: every wire to a host's trunk (a VM's port group there: the fabric's first
 * wire of each VM, and each {@link VmMoves} opens on a VM's first move to a host), and the impairment a link fault gives
 * a host's links now. An impairment belongs to the host's wires, not to VMs: a wire opened to an impaired host (a VM
 * moving there) is impaired at once, and a VM is impaired while it is plugged into one of them.
 */
final class HostLinks {
    private final List<SimulatedVm> vms;
    private final Map<Integer, List<PseudoWire>> wires = new HashMap<>();
    private final Map<Integer, LinkImpairment> impaired = new HashMap<>();

    /** The links of the fabric's VMs: VM k on its wire to host {@code vmHosts.get(k)}, as the fabric bound it. */
    HostLinks(List<SimulatedVm> vms, List<Integer> vmHosts) {
        this.vms = List.copyOf(vms);
        for (int k = 0; k < vms.size(); k++) {
            add(vmHosts.get(k), vms.get(k).wire());
        }
    }

    /** A wire to host {@code host}'s trunk, impaired at once if the host's links are. */
    synchronized void add(int host, PseudoWire wire) {
        wires.computeIfAbsent(host, h -> new ArrayList<>()).add(wire);
        wire.setImpairment(impaired.get(host));
    }

    /** Every wire to {@code host} passes {@code impairment} from now on. */
    synchronized void impair(int host, LinkImpairment impairment) {
        impaired.put(host, impairment);
        wires.getOrDefault(host, List.of()).forEach(w -> w.setImpairment(impairment));
    }

    /** The host's wires without impairment again (heal it and let it drain first: see {@link PseudoWire#setImpairment}). */
    synchronized void restore(int host) {
        impaired.remove(host);
        wires.getOrDefault(host, List.of()).forEach(w -> w.setImpairment(null));
    }

    /** The impairment of {@code host}'s links now, or null. */
    synchronized LinkImpairment impairment(int host) {
        return impaired.get(host);
    }

    /** The VMs plugged into a wire to {@code host} now. */
    synchronized Set<SimulatedVm> vmsOn(int host) {
        List<PseudoWire> mine = wires.getOrDefault(host, List.of());
        return Set.copyOf(vms.stream().filter(vm -> mine.contains(vm.wire())).toList());
    }
}
