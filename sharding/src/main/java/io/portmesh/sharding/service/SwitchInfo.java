package io.portmesh.sharding.service;

import io.portmesh.model.CborSerializable;
import java.util.List;

/** A logical switch as the API shows it. */
public record SwitchInfo(String id, int vni, List<String> ports) implements CborSerializable {}
