package io.portmesh.model.flow;

import java.util.List;

/** A group of type ALL (head-end replication of broadcast): one bucket per destination. */
public record GroupEntry(int groupId, List<Bucket> buckets) {
    public GroupEntry {
        buckets = List.copyOf(buckets);
    }

    public record Bucket(List<Action> actions) {
        public Bucket {
            actions = List.copyOf(actions);
        }
    }
}
