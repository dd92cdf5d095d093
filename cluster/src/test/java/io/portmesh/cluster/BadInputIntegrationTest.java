package io.portmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.cluster.rest.JsonCodec;
import io.portmesh.model.Vni;
import io.portmesh.persistence.testkit.CassandraExtension;
import io.portmesh.persistence.testkit.TestCassandra;
import io.portmesh.sharding.EntityError;
import io.portmesh.sharding.EntityErrorException;
import io.portmesh.sharding.lswitch.VniRegistryEntity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bad input against a real three-node cluster on the real Cassandra, over real HTTP: every refusal names the field,
 * and a read right after (from another node) proves that nothing changed. Requests rotate over the nodes so that
 * refusals also travel between nodes as entity replies.
 */
@ExtendWith(CassandraExtension.class)
class BadInputIntegrationTest {
    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** The test Cassandra is shared by the test classes of a run: names are unique per run. */
    private static final String RUN =
            Long.toHexString(ThreadLocalRandom.current().nextLong(1L << 40));

    private static final AtomicInteger next = new AtomicInteger();
    /**
     * Tunnel IPs are unique across the cluster, and other test classes of the run register hosts on fixed loopback
     * addresses: this class takes its own from a random 10.x.y.0/24 of the run.
     */
    private static final String TUNNEL_NET = "10." + ThreadLocalRandom.current().nextInt(1, 255) + "."
            + ThreadLocalRandom.current().nextInt(0, 256) + ".";

    private static final AtomicInteger nextTunnelIp = new AtomicInteger();
    private static TestCluster cluster;

    @BeforeAll
    static void start(TestCassandra cassandra) {
        cluster = TestCluster.startServing(cassandra, 3);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * The VNI registry is one entity, on one of the three nodes: asked from every node, at least two of its refusals
     * cross to another node, and each comes back as the typed error it was, kind and field.
     */
    @Test
    void anEntitysRefusalKeepsItsKindAndFieldOnEveryNode() throws Exception {
        int vni = ThreadLocalRandom.current().nextInt(1_000_000, Vni.MAX);
        String owner = name("vni-owner");
        assertThat(registry(0)
                        .<Integer>askWithStatus(r -> new VniRegistryEntity.Claim(owner, vni, r), ASK)
                        .toCompletableFuture()
                        .get(30, TimeUnit.SECONDS))
                .isEqualTo(vni);
        for (int node = 0; node < 3; node++) {
            String other = name("vni-other");
            try {
                registry(node)
                        .<Integer>askWithStatus(r -> new VniRegistryEntity.Claim(other, vni, r), ASK)
                        .toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
                throw new AssertionError("node " + node + ": a taken VNI was claimed again");
            } catch (ExecutionException e) {
                assertThat(e.getCause()).as("node %d", node).isInstanceOf(EntityErrorException.class);
                EntityError error = ((EntityErrorException) e.getCause()).error();
                assertThat(error.kind()).as("node %d", node).isEqualTo(EntityError.Kind.CONFLICT);
                assertThat(error.field()).as("node %d", node).isEqualTo("vni");
                assertThat(error.message()).contains(String.valueOf(vni), owner);
            }
        }
    }

    private static final Duration ASK = Duration.ofSeconds(10);

    private static EntityRef<VniRegistryEntity.Command> registry(int node) {
        return ClusterSharding.get(cluster.nodes.get(node).system())
                .entityRefFor(VniRegistryEntity.TYPE_KEY, VniRegistryEntity.ID);
    }

    @Test
    void malformedJsonIsRefusedAndCreatesNothing() {
        String sw = name("sw");
        String msg = assertError(send(0, "POST", "/v1/switches", "{\"name\": \"" + sw + "\","), 400, "bad_json");
        assertThat(msg).contains("malformed JSON");
        assertError(send(1, "GET", "/v1/switches/" + sw, null), 404, "not_found");

        String existing = createSwitch(null);
        // the object is never closed
        assertError(
                send(2, "POST", "/v1/switches/" + existing + "/ports", "{\"mac\": \"52:54:00:00:00:01\""),
                400,
                "bad_json");
        assertThat(portsOf(existing)).isEmpty();
    }

    @Test
    void anUnknownFieldIsRefusedByNameAndCreatesNothing() {
        String sw = name("sw");
        String msg = assertError(
                send(1, "POST", "/v1/switches", "{\"name\":\"" + sw + "\",\"colour\":\"red\"}"), 400, "unknown_field");
        assertThat(msg).startsWith("colour:");
        assertError(send(2, "GET", "/v1/switches/" + sw, null), 404, "not_found");

        String existing = createSwitch(null);
        msg = assertError(
                send(0, "POST", "/v1/switches/" + existing + "/ports", "{\"mac\":\"52:54:00:00:00:01\",\"vlan\":7}"),
                400,
                "unknown_field");
        assertThat(msg).startsWith("vlan:");
        assertThat(portsOf(existing)).isEmpty();
    }

    @Test
    void aBadMacIsRefusedNamingMacAndCreatesNoPort() {
        String sw = createSwitch(null);
        for (String bad : List.of(
                "52:54:00:zz:00:01",
                "52:54:00:00:01",
                "01:00:5e:00:00:01",
                "ff:ff:ff:ff:ff:ff",
                " 52:54:00:00:00:01",
                "52-54-00-00-00-01")) {
            String msg = assertError(
                    send(
                            next.incrementAndGet() % 3,
                            "POST",
                            "/v1/switches/" + sw + "/ports",
                            "{\"mac\":\"" + bad + "\"}"),
                    400,
                    "invalid");
            assertThat(msg).as(bad).startsWith("mac:");
        }
        assertThat(portsOf(sw)).isEmpty();
    }

    @Test
    void aDuplicateMacInOneSwitchIsAConflictNamingMacAndTheOtherPort() {
        String sw = createSwitch(null);
        String first = createPort(sw, "52:54:00:aa:00:01");

        String msg = assertError(
                send(1, "POST", "/v1/switches/" + sw + "/ports", "{\"mac\":\"52:54:00:AA:00:01\",\"name\":\"again\"}"),
                409,
                "conflict");
        assertThat(msg).startsWith("mac:").contains(first);
        assertThat(portsOf(sw)).containsExactly(first);

        // the same MAC in another switch is fine: uniqueness is per switch
        String other = createSwitch(null);
        createPort(other, "52:54:00:aa:00:01");
    }

    @Test
    void aDuplicateVniIsAConflictNamingVniAndTheOwner() {
        int vni = ThreadLocalRandom.current().nextInt(100_000, 16_000_000);
        String owner = createSwitch(vni);
        String second = name("sw");

        String taken = assertError(
                send(2, "POST", "/v1/switches", "{\"name\":\"" + second + "\",\"vni\":" + vni + "}"), 409, "conflict");
        assertThat(taken).startsWith("vni:").contains(owner);
        assertError(send(0, "GET", "/v1/switches/" + second, null), 404, "not_found");
        assertThat(json(send(1, "GET", "/v1/switches/" + owner, null))
                        .get("vni")
                        .asInt())
                .isEqualTo(vni);

        // a VNI outside 24 bits is refused before anything is claimed
        String msg = assertError(
                send(1, "POST", "/v1/switches", "{\"name\":\"" + second + "\",\"vni\":16777216}"), 400, "invalid");
        assertThat(msg).startsWith("vni:");
        // the refused name is still free, and gets another VNI
        String created = createSwitchNamed(second, null);
        assertThat(json(send(2, "GET", "/v1/switches/" + created, null))
                        .get("vni")
                        .asInt())
                .isNotEqualTo(vni);
    }

    /**
     * A create of a switch that exists answers it when it asks for nothing else (no VNI, or its VNI): that is a create
     * retried after a 503, and safe. Another VNI is a conflict that leaves the switch as it is.
     */
    @Test
    void aSecondCreateOfASwitchAnswersItAndOneWithAnotherVniIsAConflictThatKeepsItsVni() {
        int vni = ThreadLocalRandom.current().nextInt(100_000, 16_000_000);
        String sw = createSwitch(vni);
        HttpResponse<String> again = send(1, "POST", "/v1/switches", "{\"name\":\"" + sw + "\"}");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(201);
        assertThat(json(again).get("vni").asInt()).isEqualTo(vni);
        assertError(
                send(0, "POST", "/v1/switches", "{\"name\":\"" + sw + "\",\"vni\":" + (vni + 1) + "}"),
                409,
                "conflict");
        assertThat(json(send(2, "GET", "/v1/switches/" + sw, null)).get("vni").asInt())
                .isEqualTo(vni);
    }

    @Test
    void bindingToAnUnknownHostIsRefusedNamingHostAndThePortStaysUnbound() {
        String sw = createSwitch(null);
        String port = createPort(sw, "52:54:00:bb:00:01");
        String ghost = name("no-such-host");

        HttpResponse<String> r = send(2, "PUT", "/v1/ports/" + port + "/binding", "{\"host\":\"" + ghost + "\"}");
        assertThat(r.statusCode()).as(r.body()).isBetween(400, 499);
        assertThat(json(r).get("message").asText()).startsWith("host:").contains(ghost);

        assertUnbound(port);
        assertError(send(1, "GET", "/v1/hosts/" + ghost, null), 404, "not_found");
    }

    @Test
    void aBindingToAnotherHostMovesThePortMakeBeforeBreakAndAFullSwitchIsNotDeleted() {
        String sw = createSwitch(null);
        String port = createPort(sw, "52:54:00:cc:00:01");
        String a = createHost(tunnelIp());
        String b = createHost(tunnelIp());
        HttpResponse<String> bound = send(0, "PUT", "/v1/ports/" + port + "/binding", "{\"host\":\"" + a + "\"}");
        assertThat(bound.statusCode()).as(bound.body()).isEqualTo(200);
        int vlan = json(bound).get("vlan").asInt();

        // a binding elsewhere starts a live move: B holds a VLAN for the port, the port stays on A until activated
        HttpResponse<String> moving = send(1, "PUT", "/v1/ports/" + port + "/binding", "{\"host\":\"" + b + "\"}");
        assertThat(moving.statusCode()).as(moving.body()).isEqualTo(200);
        assertThat(json(moving).get("host").asText()).isEqualTo(b);
        JsonNode p = json(send(2, "GET", "/v1/ports/" + port, null));
        assertThat(p.get("host").asText()).isEqualTo(a);
        assertThat(p.get("vlan").asInt()).isEqualTo(vlan);
        assertThat(json(send(0, "GET", "/v1/hosts/" + b, null)).get("vlansUsed").asInt())
                .isEqualTo(1);
        JsonNode move = json(send(0, "GET", "/v1/ports/" + port + "/migration", null));
        assertThat(move.get("state").asText()).isEqualTo("MIGRATING");
        // binding it to its source again while it moves is a conflict that says how to keep it there
        String msg = assertError(
                send(1, "PUT", "/v1/ports/" + port + "/binding", "{\"host\":\"" + a + "\"}"), 409, "conflict");
        assertThat(msg).contains("cancel the move");
        assertThat(json(send(2, "DELETE", "/v1/ports/" + port + "/migration", null))
                        .get("state")
                        .asText())
                .isEqualTo("CANCELLED");
        assertThat(json(send(0, "GET", "/v1/hosts/" + b, null)).get("vlansUsed").asInt())
                .isZero();

        assertError(send(1, "DELETE", "/v1/switches/" + sw, null), 409, "conflict");
        assertThat(portsOf(sw)).containsExactly(port);
    }

    @Test
    void aSecondHostOnATakenTunnelIpIsAConflictNamingTheOtherHost() {
        String ip = tunnelIp();
        String first = createHost(ip);
        String second = name("esx");

        String msg = assertError(
                send(1, "POST", "/v1/hosts", "{\"name\":\"" + second + "\",\"tunnelIp\":\"" + ip + "\"}"),
                409,
                "conflict");
        assertThat(msg).startsWith("tunnelIp: tunnel IP " + ip + " is already used by host " + first);
        assertError(send(2, "GET", "/v1/hosts/" + second, null), 404, "not_found");
        assertThat(json(send(0, "GET", "/v1/hosts/" + first, null))
                        .get("tunnelIp")
                        .asText())
                .isEqualTo(ip);

        // the refused name is free, and takes another IP
        String other = tunnelIp();
        HttpResponse<String> r =
                send(2, "POST", "/v1/hosts", "{\"name\":\"" + second + "\",\"tunnelIp\":\"" + other + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    @Test
    void aTunnelIpSpelledWithLeadingZerosOrSpacesIsRefusedAndRegistersNothing() {
        String host = name("esx");
        for (String bad : List.of("010.001.002.003", " 10.1.2.3", "10.1.2.3\\t")) {
            String msg = assertError(
                    send(
                            next.incrementAndGet() % 3,
                            "POST",
                            "/v1/hosts",
                            "{\"name\":\"" + host + "\",\"tunnelIp\":\"" + bad + "\"}"),
                    400,
                    "invalid");
            assertThat(msg).as(bad).startsWith("tunnelIp: ");
        }
        assertError(send(1, "GET", "/v1/hosts/" + host, null), 404, "not_found");
    }

    // --- helpers: every one asserts the status it needs, so a failure points at the request

    private static String tunnelIp() {
        return TUNNEL_NET + (1 + nextTunnelIp.getAndIncrement() % 254);
    }

    private static String name(String prefix) {
        return prefix + "-" + RUN + "-" + next.incrementAndGet();
    }

    private static String createSwitch(Integer vni) {
        return createSwitchNamed(name("sw"), vni);
    }

    private static String createSwitchNamed(String sw, Integer vni) {
        String body = vni == null ? "{\"name\":\"" + sw + "\"}" : "{\"name\":\"" + sw + "\",\"vni\":" + vni + "}";
        HttpResponse<String> r = send(next.get() % 3, "POST", "/v1/switches", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return json(r).get("id").asText();
    }

    private static String createPort(String sw, String mac) {
        HttpResponse<String> r =
                send(next.incrementAndGet() % 3, "POST", "/v1/switches/" + sw + "/ports", "{\"mac\":\"" + mac + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return json(r).get("id").asText();
    }

    private static String createHost(String tunnelIp) {
        String host = name("esx");
        HttpResponse<String> r = send(
                next.get() % 3, "POST", "/v1/hosts", "{\"name\":\"" + host + "\",\"tunnelIp\":\"" + tunnelIp + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return host;
    }

    /** The switch's member ports, read from the switch entity itself (not the lagging list view). */
    private static List<String> portsOf(String sw) {
        HttpResponse<String> r = send(next.incrementAndGet() % 3, "GET", "/v1/switches/" + sw, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> ports = new ArrayList<>();
        json(r).get("ports").forEach(p -> ports.add(p.asText()));
        return ports;
    }

    private static void assertUnbound(String port) {
        HttpResponse<String> r = send(next.incrementAndGet() % 3, "GET", "/v1/ports/" + port, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode p = json(r);
        assertThat(p.get("state").asText()).isEqualTo("UNBOUND");
        assertThat(p.path("host").isNull() || p.path("host").isMissingNode())
                .as("host of %s", r.body())
                .isTrue();
    }

    /** Asserts the error shape and returns its message. */
    private static String assertError(HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = json(r);
        assertThat(body.get("error").asText()).as(r.body()).isEqualTo(code);
        return body.get("message").asText();
    }

    private static HttpResponse<String> send(int node, String method, String path, String body) {
        var address = cluster.nodes.get(node).httpAddress();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + path))
                .timeout(Duration.ofSeconds(40));
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.method(method, HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(HttpResponse<String> r) {
        try {
            return JsonCodec.mapper().readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (HTTP " + r.statusCode() + "): " + r.body(), e);
        }
    }
}
