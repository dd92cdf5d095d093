package io.portmesh.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** {@code GET /v1/cluster} through the cluster's REST Service (any controller answers with its own view). */
public final class RestClusterEndpoint implements ClusterEndpoint {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final Function<PortmeshCluster, URI> where;

    /** Through the cluster's REST Service, by its cluster DNS name (the operator runs in the cluster). */
    public RestClusterEndpoint() {
        this(c -> new ControllerResources(c).clusterEndpoint());
    }

    RestClusterEndpoint(Function<PortmeshCluster, URI> where) {
        this.where = where;
    }

    @Override
    public List<Member> members(PortmeshCluster cluster) throws IOException {
        URI uri = where.apply(cluster);
        HttpResponse<String> response;
        try {
            response = http.send(
                    HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking " + uri, e);
        }
        if (response.statusCode() != 200) {
            throw new IOException("GET " + uri + " answered " + response.statusCode() + ": " + response.body());
        }
        return parse(uri, response.body());
    }

    /** The members of a {@code GET /v1/cluster} answer (cluster/src/main/resources/openapi.yaml, ClusterInfo). */
    private static List<Member> parse(URI uri, String body) throws IOException {
        JsonNode members = JSON.readTree(body).path("members");
        if (!members.isArray()) {
            throw new IOException("GET " + uri + " answered without a members array: " + body);
        }
        List<Member> out = new ArrayList<>();
        for (JsonNode m : members) {
            out.add(new Member(
                    m.path("address").asText(),
                    m.path("status").asText(),
                    m.path("reachable").asBoolean(true)));
        }
        return out;
    }
}
