package io.portmesh.sharding.service;

import io.portmesh.model.CborSerializable;
import java.util.List;
import java.util.Map;

/**
 * Members of the controller cluster as the answering node sees them, their status and reachability, and how many
 * shards and entities each holds per entity type.
 *
 * @param unreachable the members the answering node sees as unreachable (their address)
 * @param shardStats {@link #COMPLETE} when every member's shard region of every entity type gave its counts in time;
 *     {@link #PARTIAL} when some did not (a member's {@code shards} then lists only the types that answered)
 */
public record ClusterInfo(
        String selfAddress, String leader, List<Member> members, List<String> unreachable, String shardStats)
        implements CborSerializable {
    public static final String COMPLETE = "complete";
    public static final String PARTIAL = "partial";

    public record Member(
            String address, String status, boolean reachable, List<String> roles, Map<String, ShardCount> shards)
            implements CborSerializable {}

    public record ShardCount(int shards, int entities) implements CborSerializable {}
}
