package io.portmesh.loadtest.nodeloss;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.loadtest.demo.RestClient;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.cluster.sharding.ShardRegion;

/**
 * Which controller node runs an entity, found from outside. The API does not say where an entity lives, but {@code GET
 * /v1/cluster} gives each member's entity count per type: an action that starts exactly one entity of a type (creating
 * a switch or a host, or asking for a port that does not exist: the entity recovers, answers 404 and stays until
 * passivated, 10 minutes) raises exactly one member's count by one, and that member runs it. Ports are created by the
 * controller with ids of its choosing, so for them the map is per shard: entity ids go to shards by Pekko's default
 * extractor ({@link #shardOf}), and one probe per shard (an id made to fall in it) finds the member of each of the
 * 100. Valid while nothing else starts or stops entities of that type (the setup, before any load), and while shards
 * stay where they are: until a member leaves or joins.
 */
public final class EntityPlacement {
    /** {@code pekko.cluster.sharding.number-of-shards} (cluster/reference.conf). */
    public static final int SHARDS = 100;

    private static final int TRIES = 4;

    private EntityPlacement() {}

    /** The shard of an entity id, as sharding's default message extractor computes it. */
    public static int shardOf(String entityId) {
        return Integer.parseInt(ShardRegion.HashCodeMessageExtractor$.MODULE$.shardId(entityId, SHARDS));
    }

    /**
     * Each member's count of entities of {@code type} ({@code Host}, {@code LogicalSwitch}, {@code LogicalPort}); asked
     * again (up to 5 times) while the answer says its counts are partial (a region did not answer within its bound).
     */
    static Map<String, Integer> entities(RestClient api, String type) throws IOException, InterruptedException {
        RestClient.Response r = api.get("/v1/cluster");
        for (int i = 0;
                i < 5 && r.ok() && "partial".equals(r.body().path("shardStats").asText());
                i++) {
            r = api.get("/v1/cluster");
        }
        if (!r.ok() || "partial".equals(r.body().path("shardStats").asText())) {
            throw new IOException("GET /v1/cluster answered " + r.status() + ": " + r.body());
        }
        Map<String, Integer> out = new HashMap<>();
        for (JsonNode m : r.body().path("members")) {
            out.put(
                    m.path("address").asText(),
                    m.path("shards").path(type).path("entities").asInt(0));
        }
        return out;
    }

    /** An action whose answer does not matter here (a 404 is what a probe expects). */
    public interface Action {
        void run() throws Exception;
    }

    /**
     * The member on which {@code action} started an entity of {@code type}: the one member whose count rose by one while
     * no other changed; null when the counts say otherwise.
     */
    public static String whereStarted(RestClient api, String type, Action action) throws Exception {
        Map<String, Integer> before = entities(api, type);
        action.run();
        Map<String, Integer> after = entities(api, type);
        String where = null;
        for (Map.Entry<String, Integer> e : after.entrySet()) {
            int d = e.getValue() - before.getOrDefault(e.getKey(), 0);
            if (d == 1 && where == null) {
                where = e.getKey();
            } else if (d != 0) {
                return null;
            }
        }
        return where;
    }

    /**
     * The member that runs each LogicalPort shard (shard -> member address), by one probe per shard: {@code GET
     * /v1/ports/<id>} for an id that falls in it and no entity has (up to {@link #TRIES} ids per shard when the counts
     * were ambiguous). A shard left out could not be placed.
     */
    public static Map<Integer, String> portShards(RestClient api, String run) throws Exception {
        Map<Integer, String> out = new HashMap<>();
        Map<Integer, Integer> tried = new HashMap<>();
        for (int n = 0; out.size() + unplaceable(tried, out) < SHARDS && n < SHARDS * TRIES * 20; n++) {
            String id = "probe-" + run + "-" + n;
            int shard = shardOf(id);
            if (out.containsKey(shard) || tried.getOrDefault(shard, 0) >= TRIES) {
                continue;
            }
            tried.merge(shard, 1, Integer::sum);
            String where = whereStarted(api, "LogicalPort", () -> api.get("/v1/ports/" + id));
            if (where != null) {
                out.put(shard, where);
            }
        }
        return out;
    }

    private static int unplaceable(Map<Integer, Integer> tried, Map<Integer, String> placed) {
        return (int) tried.entrySet().stream()
                .filter(e -> e.getValue() >= TRIES && !placed.containsKey(e.getKey()))
                .count();
    }

    /** How many shards each member runs, by a shard map: for a report line. */
    public static Map<String, Integer> count(Map<Integer, String> shards, List<String> members) {
        Map<String, Integer> out = new HashMap<>();
        members.forEach(m -> out.put(m, 0));
        shards.values().forEach(m -> out.merge(m, 1, Integer::sum));
        return out;
    }
}
