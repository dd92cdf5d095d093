package io.portmesh.cluster.rest;

import io.portmesh.model.AgentPin;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.SwitchId;
import io.portmesh.model.ValidationException;
import io.portmesh.model.Vni;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Request bodies as they arrive, and their conversion to model types. Converting everything before the first
 * service call is what guarantees that bad input changes no state.
 */
final class Requests {
    static final int MAX_PORT_IPS = 64;
    static final int MAX_NAME_LENGTH = 128;

    private Requests() {}

    record CreateSwitch(String name, Integer vni) {
        SwitchId switchId() {
            return id("name", required("name", name), SwitchId::of);
        }

        Optional<Integer> checkedVni() {
            return Optional.ofNullable(vni).map(v -> new Vni(v).value());
        }
    }

    record CreateHost(String name, String tunnelIp, Pins pins) {
        HostId hostId() {
            return id("name", required("name", name), HostId::of);
        }

        Ipv4 checkedTunnelIp() {
            return Ipv4.parseTunnelEndpoint("tunnelIp", required("tunnelIp", tunnelIp));
        }

        Map<String, AgentPin> checkedPins() {
            return pins == null ? Map.of() : pins.checked("pins.");
        }
    }

    /** What a host pins of one slot's agent: either or both (docs/architecture.md section 13.1). */
    record Pin(String publicKeySha256, String dpid) {}

    /**
     * A host's pins by slot ({@code PUT /v1/hosts/{id}/pins}, and {@code pins} of {@code POST /v1/hosts}); a slot
     * absent or null pins nothing, {@code {}} none at all.
     */
    record Pins(Pin a, Pin b) {
        Map<String, AgentPin> checked(String prefix) {
            Map<String, AgentPin> out = new TreeMap<>();
            if (a != null) {
                out.put("a", AgentPin.of(prefix + "a", a.publicKeySha256(), a.dpid()));
            }
            if (b != null) {
                out.put("b", AgentPin.of(prefix + "b", b.publicKeySha256(), b.dpid()));
            }
            return Collections.unmodifiableMap(out); // in slot order, as logs and messages show it
        }
    }

    record CreatePort(String mac, List<String> ips, String name) {
        Mac checkedMac() {
            return Mac.parseUnicast("mac", required("mac", mac));
        }

        List<Ipv4> checkedIps() {
            if (ips == null) {
                return List.of();
            }
            if (ips.size() > MAX_PORT_IPS) {
                throw new ValidationException("ips", ips.size() + " addresses; at most " + MAX_PORT_IPS);
            }
            List<Ipv4> out = new ArrayList<>(ips.size());
            Map<Ipv4, Integer> seen = new HashMap<>();
            for (int i = 0; i < ips.size(); i++) {
                String field = "ips[" + i + "]";
                Ipv4 ip = Ipv4.parse(field, required(field, ips.get(i)));
                Integer first = seen.putIfAbsent(ip, i);
                if (first != null) {
                    throw new ValidationException(field, ip + " repeats ips[" + first + "]");
                }
                out.add(ip);
            }
            return List.copyOf(out);
        }

        Optional<String> checkedName() {
            if (name == null) {
                return Optional.empty();
            }
            if (name.isBlank() || name.length() > MAX_NAME_LENGTH) {
                throw new ValidationException("name", "must be 1-" + MAX_NAME_LENGTH + " characters, not blank");
            }
            if (name.chars().anyMatch(Character::isISOControl)) {
                throw new ValidationException("name", "must not contain control characters");
            }
            if (!name.equals(name.strip())) {
                // refused, not trimmed: what a client sends is what it reads back
                throw new ValidationException(
                        "name", ValidationException.echo(name) + " has whitespace around it; remove it");
            }
            return Optional.of(name);
        }
    }

    record Bind(String host) {
        HostId hostId() {
            return id("host", required("host", host), HostId::of);
        }
    }

    /** {@code POST /v1/ports/{id}/migration}: the host to move the port to. */
    record Move(String to) {
        HostId hostId() {
            return id("to", required("to", to), HostId::of);
        }
    }

    /** A call that takes no fields ({@code POST /v1/ports/{id}/migration/complete}): {@code {}}. */
    record NoFields() {}

    static <T> T required(String field, T value) {
        if (value == null) {
            throw ApiException.missing(field);
        }
        return value;
    }

    /** Re-labels an id error with the request's own field name, which is what the caller typed. */
    static <T> T id(String field, String value, Function<String, T> parse) {
        try {
            return parse.apply(value);
        } catch (ValidationException e) {
            throw new ValidationException(field, e.reason());
        }
    }
}
