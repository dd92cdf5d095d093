package io.portmesh.sharding.southbound;

import io.portmesh.model.HostId;
import io.portmesh.model.ValidationException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who an agent says it is. OpenFlow 1.3 has no field for it, so the agent puts {@code portmesh host=<id> slot=<a|b>}
 * in its datapath description (OFPMP_DESC dp_desc), the way Open vSwitch exposes other-config there.
 */
public record AgentIdentity(HostId host, String slot) {
    private static final Pattern DESC = Pattern.compile("portmesh host=(\\S+) slot=([ab])");

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
            return Optional.of(new AgentIdentity(HostId.of(m.group(1)), m.group(2)));
        } catch (ValidationException e) {
            return Optional.empty();
        }
    }
}
