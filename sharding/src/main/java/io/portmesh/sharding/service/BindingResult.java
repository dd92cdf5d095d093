package io.portmesh.sharding.service;

import io.portmesh.model.CborSerializable;

/** The reply to a binding: the access VLAN the VM's NIC must use on the host, and how far the change got. */
public record BindingResult(String port, String host, int vlan, Realization realization) implements CborSerializable {}
