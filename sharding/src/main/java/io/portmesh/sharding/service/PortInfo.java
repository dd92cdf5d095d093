package io.portmesh.sharding.service;

import io.portmesh.model.CborSerializable;
import java.util.List;

/** A logical port as the API shows it. {@code host} and {@code vlan} are null while unbound. */
public record PortInfo(
        String id, String switchId, String name, String mac, List<String> ips, String host, Integer vlan, String state)
        implements CborSerializable {}
