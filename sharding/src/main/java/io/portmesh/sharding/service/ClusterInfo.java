package io.portmesh.sharding.service;

import io.portmesh.model.CborSerializable;
import java.util.List;
import java.util.Map;

/** Members of the controller cluster, their status, and how many shards and entities each holds per entity type. */
public record ClusterInfo(String selfAddress, String leader, List<Member> members) implements CborSerializable {
    public record Member(String address, String status, List<String> roles, Map<String, ShardCount> shards)
            implements CborSerializable {}

    public record ShardCount(int shards, int entities) implements CborSerializable {}
}
