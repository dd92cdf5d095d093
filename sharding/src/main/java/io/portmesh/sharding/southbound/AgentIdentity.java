package io.portmesh.sharding.southbound;

import io.portmesh.model.HostId;
import io.portmesh.model.ValidationException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who an agent says it is. OpenFlow 1.3 has no field for it, so the agent puts {@code portmesh host=<id> slot=<a|b>}
 * in its datapath description (OFPMP_DESC dp_desc), the way Open vSwitch exposes other-config there, and, optionally,
 * {@code tep=<ipv4>}: its own VXLAN tunnel endpoint (each switch VM of a host has its own, docs/architecture.md section
 * 7.2). {@code tep} is null when the agent does not say (an older agent, a bridge bound to every address).
 */
public record AgentIdentity(HostId host, String slot, String tep) {
    private static final Pattern DESC = Pattern.compile("portmesh host=(\\S+) slot=([ab])(?: tep=(\\S+))?");

    public AgentIdentity(HostId host, String slot) {
        this(host, slot, null);
    }

    public static String describe(String host, String slot) {
        return "portmesh host=" + host + " slot=" + slot;
    }

    public static Optional<AgentIdentity> parse(String dpDesc) {
        if (dpDesc == null) {
            return Optional.empty();
        }
        Matcher m = DESC.matcher(dpDesc.trim());
        if (!m.find()) {
            return Optional.empty();
        }
        try {
            String tep = m.group(3) == null
                    ? null
                    : io.portmesh.model.Ipv4.parse(m.group(3)).toString();
            return Optional.of(new AgentIdentity(HostId.of(m.group(1)), m.group(2), tep));
        } catch (ValidationException e) {
            return Optional.empty();
        }
    }
}
