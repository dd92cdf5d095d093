package io.portmesh.sharding.service;

import io.portmesh.model.CborSerializable;
import java.util.Map;

/**
 * One event of a port's own journal, as {@code GET /v1/ports/{id}/history} lists it: its sequence number, when it
 * was written (ISO-8601), its name (e.g. {@code Created}, {@code Bound}, {@code MoveStarted}) and its fields.
 */
public record PortHistoryEntry(long seq, String at, String event, Map<String, Object> detail)
        implements CborSerializable {}
