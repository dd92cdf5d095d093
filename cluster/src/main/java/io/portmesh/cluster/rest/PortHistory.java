package io.portmesh.cluster.rest;

import io.portmesh.sharding.service.PortHistoryEntry;
import java.util.List;

/**
 * The answer to {@code GET /v1/ports/{id}/history}: the port's own journal, oldest first, with the switch-VM failovers
 * of the hosts it was on at the time.
 */
record PortHistory(String port, List<PortHistoryEntry> events) {}
