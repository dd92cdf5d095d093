package io.portmesh.cluster.cli;

import static io.portmesh.cluster.cli.Table.col;
import static io.portmesh.cluster.cli.Table.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** How each resource looks in {@code -o table}: the columns, and which JSON nodes are the rows. */
enum View {
    SWITCH(List.of(
            col("ID", "id"),
            col("VNI", "vni"),
            col("PORTS", r -> Integer.toString(r.path("ports").size())))),
    HOST(List.of(
            col("ID", "id"),
            col("TUNNEL-IP", "tunnelIp"),
            col("AGENTS", View::agents),
            col("VLANS", "vlansUsed"),
            col("FLOWS", r -> text(r.get("flowsInstalled")) + "/" + text(r.get("flowsDesired"))),
            col("GENERATION", "masterGeneration"),
            col("REALIZED", "realized"))),
    /** A host's switch VMs: one row per slot. */
    SLOTS(List.of(
            col("SLOT", "slot"),
            col("TUNNEL-ENDPOINT", "tunnelIp"),
            col("ACTIVE", r -> yesNo(r.get("active"))),
            col("TRUNK", "trunk"),
            col("CONNECTIONS", "connections"),
            col("HOLDS-PLAN", r -> yesNo(r.get("holdsPlan"))))) {
        @Override
        List<JsonNode> rows(JsonNode body) {
            List<JsonNode> rows = new ArrayList<>();
            body.path("slots").forEach(rows::add);
            return rows;
        }
    },
    /** One host: its row as {@link #HOST} shows it, then its switch VMs as {@link #SLOTS}. */
    HOST_DETAIL(List.of()) {
        @Override
        String render(JsonNode body) {
            return HOST.render(body) + "\n" + SLOTS.render(body);
        }
    },
    PORT(List.of(
            col("ID", "id"),
            col("SWITCH", "switchId"),
            col("NAME", "name"),
            col("MAC", "mac"),
            col("IPS", "ips"),
            col("HOST", "host"),
            col("VLAN", "vlan"),
            col("STATE", "state"))),
    BINDING(List.of(
            col("PORT", "port"),
            col("HOST", "host"),
            col("VLAN", "vlan"),
            col("REALIZED", r -> realized(r.path("realization"))),
            col("PENDING", r -> text(r.path("realization").get("pendingHosts"))))),
    REALIZATION(List.of(col("REALIZED", View::realized), col("PENDING", "pendingHosts"))),
    MIGRATION(List.of(
            col("PORT", "port"),
            col("STATE", "state"),
            col("FROM", "from"),
            col("TO", "to"),
            col("FROM-VLAN", "fromVlan"),
            col("TO-VLAN", "toVlan"),
            col("ACTIVATED-BY", "activatedBy"),
            col("DEADLINE", "deadline"),
            col("ENDED", "endedAt"),
            col("REALIZED", r -> realized(r.path("realization"))),
            col("PENDING", r -> text(r.path("realization").get("pendingHosts"))))),
    HISTORY(List.of(col("SEQ", "seq"), col("AT", "at"), col("EVENT", "event"), col("DETAIL", View::detail))) {
        /** One row per event of the journal. */
        @Override
        List<JsonNode> rows(JsonNode body) {
            List<JsonNode> rows = new ArrayList<>();
            body.path("events").forEach(rows::add);
            return rows;
        }
    },
    CLUSTER(List.of(
            col("ADDRESS", "address"),
            col("STATUS", "status"),
            col("REACHABLE", r -> yesNo(r.get("reachable"))),
            col("ROLES", "roles"),
            col("LEADER", "leader"),
            col("SHARDS", View::shards))) {
        /** The members' table, and a line when some shard counts did not arrive in time. */
        @Override
        String render(JsonNode body) {
            String table = super.render(body);
            return body.path("shardStats").asText("").equals("partial")
                    ? table + "shard counts are partial: some members' shard regions did not answer in time\n"
                    : table;
        }

        /** One row per member, with the leader flag copied in from the top level. */
        @Override
        List<JsonNode> rows(JsonNode body) {
            List<JsonNode> rows = new ArrayList<>();
            String leader = body.path("leader").asText("");
            for (JsonNode m : body.path("members")) {
                com.fasterxml.jackson.databind.node.ObjectNode row = m.deepCopy();
                row.put("leader", m.path("address").asText().equals(leader) ? "yes" : "");
                rows.add(row);
            }
            return rows;
        }
    };

    private final List<Table.Column> columns;

    View(List<Table.Column> columns) {
        this.columns = columns;
    }

    List<JsonNode> rows(JsonNode body) {
        List<JsonNode> rows = new ArrayList<>();
        if (body.isArray()) {
            body.forEach(rows::add);
        } else {
            rows.add(body);
        }
        return rows;
    }

    String render(JsonNode body) {
        return Table.render(columns, rows(body));
    }

    /** true as yes, false as no, anything else as text. */
    private static String yesNo(JsonNode flag) {
        if (flag != null && flag.isBoolean()) {
            return flag.asBoolean() ? "yes" : "no";
        }
        return text(flag);
    }

    private static String agents(JsonNode host) {
        List<String> parts = new ArrayList<>();
        for (JsonNode a : host.path("agents")) {
            parts.add(a.path("slot").asText("?") + ":" + a.path("role").asText("?") + "@"
                    + a.path("node").asText("?"));
        }
        return parts.isEmpty() ? "-" : String.join(",", parts);
    }

    /** An event's fields as {@code name=value,...}, in the order the controller wrote them. */
    private static String detail(JsonNode event) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : event.path("detail").properties()) {
            parts.add(e.getKey() + "=" + text(e.getValue()));
        }
        return parts.isEmpty() ? "-" : String.join(",", parts);
    }

    private static String realized(JsonNode realization) {
        if (!realization.path("waited").asBoolean(false)) {
            return "not-waited";
        }
        return realization.path("realized").asBoolean(false) ? "yes" : "no";
    }

    private static String shards(JsonNode member) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : member.path("shards").properties()) {
            parts.add(e.getKey() + "=" + e.getValue().path("shards").asInt() + "/"
                    + e.getValue().path("entities").asInt());
        }
        return parts.isEmpty() ? "-" : String.join(",", parts);
    }
}
