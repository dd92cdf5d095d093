package io.portmesh.cluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portmesh.cluster.rest.RestServerExtension;
import io.portmesh.cluster.rest.RestSettings;
import io.portmesh.sharding.service.UnavailableException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The CLI against the real REST API over a fake service: requests sent, output printed, exit codes. */
class PortmeshCtlTest {
    @RegisterExtension
    static final RestServerExtension rest = new RestServerExtension("cli-test", RestSettings.DEFAULTS);

    record Result(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return new ObjectMapper().readTree(out);
        }
    }

    private static Result ctl(String... args) {
        return ctlWithEnv(Map.of("PORTMESH_URL", rest.server().baseUri().toString()), args);
    }

    private static Result ctlWithEnv(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = PortmeshCtl.run(args, new PrintWriter(out), new PrintWriter(err), env);
        return new Result(exit, out.toString(), err.toString());
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void switchCreatePrintsPrettyJsonUsingTheUrlFromTheEnvironment() throws Exception {
        Result r = ctl("switch", "create", "blue", "--vni", "5001");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("\n  \"id\" : \"blue\"");
        assertThat(r.json().get("vni").asInt()).isEqualTo(5001);
        assertThat(rest.fake().calls()).containsExactly("createSwitch(blue, Optional[5001])");
    }

    @Test
    void urlOptionWinsOverTheEnvironment() throws Exception {
        Map<String, String> deadEnv = Map.of("PORTMESH_URL", "http://127.0.0.1:" + closedPort());
        Result r = ctlWithEnv(deadEnv, "--url", rest.server().baseUri().toString(), "switch", "list");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.json().isArray()).isTrue();
        Result after = ctlWithEnv(
                deadEnv, "switch", "list", "--url", rest.server().baseUri().toString());
        assertThat(after.exit())
                .as("options are accepted after the subcommand too")
                .isZero();
    }

    @Test
    void switchListGetDeleteAsTable() {
        ctl("switch", "create", "blue", "--vni", "5001");
        ctl("switch", "create", "red");
        Result list = ctl("switch", "list", "-o", "table");
        assertThat(list.exit()).isZero();
        assertThat(list.out()).isEqualTo("ID    VNI   PORTS\nblue  5001  0\nred   1000  0\n");

        Result get = ctl("-o", "table", "switch", "get", "red");
        assertThat(get.out()).isEqualTo("ID   VNI   PORTS\nred  1000  0\n");

        Result del = ctl("switch", "delete", "red");
        assertThat(del.exit()).isZero();
        assertThat(del.out()).isEmpty();
        assertThat(rest.fake().calls()).endsWith("getSwitch(red)", "deleteSwitch(red)");
    }

    @Test
    void hostCreateListGet() throws Exception {
        Result create = ctl("host", "create", "esx-1", "--tunnel-ip", "10.0.0.1");
        assertThat(create.exit()).as(create.err()).isZero();
        assertThat(create.json().get("tunnelIp").asText()).isEqualTo("10.0.0.1");
        Result list = ctl("host", "list", "-o", "table");
        assertThat(list.out().lines().toList())
                .containsExactly(
                        "ID     TUNNEL-IP  AGENTS  VLANS  FLOWS  GENERATION  REALIZED",
                        "esx-1  10.0.0.1   -       0      0/0    0           true");
        Result get = ctl("host", "get", "esx-1");
        assertThat(get.json().get("id").asText()).isEqualTo("esx-1");
        assertThat(rest.fake().calls()).containsExactly("createHost(esx-1, 10.0.0.1)", "listHosts()", "getHost(esx-1)");
    }

    @Test
    void hostGetShowsItsSwitchVmsAsASecondTable() {
        ctl("host", "create", "esx-1", "--tunnel-ip", "10.0.0.1");
        Result registered = ctl("host", "get", "esx-1", "-o", "table");
        assertThat(registered.exit()).as(registered.err()).isZero();
        assertThat(registered.out().lines().toList())
                .containsExactly(
                        "ID     TUNNEL-IP  AGENTS  VLANS  FLOWS  GENERATION  REALIZED",
                        "esx-1  10.0.0.1   -       0      0/0    0           true",
                        "",
                        "SLOT  TUNNEL-ENDPOINT  ACTIVE  TRUNK    CONNECTIONS  HOLDS-PLAN",
                        "a     10.0.0.1         yes     unknown  0            no");

        rest.fake().standbyReady("esx-1", "10.0.0.2");
        Result pair = ctl("host", "get", "esx-1", "-o", "table");
        assertThat(pair.out().lines().skip(3).toList())
                .containsExactly(
                        "SLOT  TUNNEL-ENDPOINT  ACTIVE  TRUNK  CONNECTIONS  HOLDS-PLAN",
                        "a     10.0.0.1         yes     up     1            yes",
                        "b     10.0.0.2         no      down   1            yes");
    }

    @Test
    void hostFailoverSwitchesToTheStandbyAndPrintsTheSlotsAfterwards() throws Exception {
        ctl("host", "create", "esx-1", "--tunnel-ip", "10.0.0.1");
        rest.fake().standbyReady("esx-1", "10.0.0.2");
        rest.fake().clearCalls();

        Result failover = ctl("host", "failover", "esx-1", "-o", "table");
        assertThat(failover.exit()).as(failover.err()).isZero();
        assertThat(failover.err()).isEmpty();
        assertThat(failover.out().lines().toList())
                .containsExactly(
                        "SLOT  TUNNEL-ENDPOINT  ACTIVE  TRUNK  CONNECTIONS  HOLDS-PLAN",
                        "a     10.0.0.1         no      down   1            yes",
                        "b     10.0.0.2         yes     up     1            yes");

        Result back = ctl("host", "failover", "esx-1");
        assertThat(back.exit()).as(back.err()).isZero();
        assertThat(back.json().get("activeSlot").asText()).isEqualTo("a");
        assertThat(back.json().get("tunnelIp").asText()).isEqualTo("10.0.0.1");
        assertThat(back.json().get("slots").size()).isEqualTo(2);
        assertThat(rest.fake().calls()).containsExactly("failover(esx-1)", "failover(esx-1)");
    }

    @Test
    void aFailoverTheControllerAnsweredBeforeTheNewTrunkWasUpExitsWith4() {
        ctl("host", "create", "esx-1", "--tunnel-ip", "10.0.0.1");
        rest.fake().standbyReady("esx-1", "10.0.0.2");
        rest.fake().failoverUnfinished();
        Result r = ctl("host", "failover", "esx-1", "-o", "table");
        assertThat(r.exit()).isEqualTo(PortmeshCtl.NOT_REALIZED);
        assertThat(r.out()).contains("b     10.0.0.2         yes     down");
        assertThat(r.err())
                .isEqualTo("warning: host esx-1 switched to slot b, but its trunk is not confirmed up yet (down): the"
                        + " switch-over may still be under way; see 'portmeshctl host get esx-1'\n");
    }

    @Test
    void aFailoverWithoutAReadyStandbyOrOfAnUnknownHostIsRefused() {
        ctl("host", "create", "esx-1", "--tunnel-ip", "10.0.0.1");
        Result noStandby = ctl("host", "failover", "esx-1");
        assertThat(noStandby.exit()).isEqualTo(PortmeshCtl.REFUSED);
        assertThat(noStandby.out()).isEmpty();
        assertThat(noStandby.err())
                .isEqualTo("error: host: cannot fail over: host esx-1 has no standby agent (slot b) connected"
                        + " (conflict, HTTP 409)\n");

        Result unknown = ctl("host", "failover", "esx-9");
        assertThat(unknown.exit()).isEqualTo(PortmeshCtl.REFUSED);
        assertThat(unknown.err()).contains("esx-9").contains("HTTP 404");

        Result noHost = ctl("host", "failover");
        assertThat(noHost.exit()).isEqualTo(PortmeshCtl.USAGE);
        assertThat(noHost.err()).contains("HOST");
        assertThat(rest.fake().calls())
                .containsExactly("createHost(esx-1, 10.0.0.1)", "failover(esx-1)", "failover(esx-9)");
    }

    @Test
    void portLifecycle() throws Exception {
        ctl("switch", "create", "blue");
        ctl("host", "create", "esx-1", "--tunnel-ip", "10.0.0.1");
        rest.fake().clearCalls();

        Result create = ctl(
                "port",
                "create",
                "--switch",
                "blue",
                "--mac",
                "52:54:00:00:00:01",
                "--ip",
                "192.168.0.10",
                "--ip",
                "192.168.0.11",
                "--name",
                "vm1",
                "--wait");
        assertThat(create.exit()).as(create.err()).isZero();
        String port = create.json().get("id").asText();

        Result list = ctl("port", "list", "--switch", "blue", "-o", "table");
        assertThat(list.out().lines().toList())
                .containsExactly(
                        "ID      SWITCH  NAME  MAC                IPS                        HOST  VLAN  STATE",
                        port + "  blue    vm1   52:54:00:00:00:01  192.168.0.10,192.168.0.11  -     -     UNBOUND");

        Result bind = ctl("port", "bind", port, "--host", "esx-1", "--wait", "-o", "table");
        assertThat(bind.exit()).as(bind.err()).isZero();
        assertThat(bind.out())
                .isEqualTo("PORT    HOST   VLAN  REALIZED  PENDING\n" + port + "  esx-1  100   yes       -\n");

        Result get = ctl("port", "get", port);
        assertThat(get.json().get("vlan").asInt()).isEqualTo(100);

        Result unbind = ctl("port", "unbind", port);
        assertThat(unbind.exit()).isZero();
        assertThat(unbind.json().get("waited").asBoolean()).isFalse();

        Result delete = ctl("port", "delete", port, "--wait");
        assertThat(delete.exit()).isZero();
        assertThat(delete.json().get("realized").asBoolean()).isTrue();

        assertThat(rest.fake().calls())
                .containsExactly(
                        "createPort(blue, 52:54:00:00:00:01, [192.168.0.10, 192.168.0.11], Optional[vm1])",
                        "listPorts(blue)",
                        "bindPort(" + port + ", esx-1, true)",
                        "getPort(" + port + ")",
                        "unbindPort(" + port + ", false)",
                        "deletePort(" + port + ", true)");
    }

    /** Switch blue, hosts esx-1 and esx-2, port-1 bound to esx-1 on VLAN 100, with the call log cleared. */
    private static void seedBoundPort() {
        ctl("switch", "create", "blue");
        ctl("host", "create", "esx-1", "--tunnel-ip", "10.0.0.1");
        ctl("host", "create", "esx-2", "--tunnel-ip", "10.0.0.2");
        ctl("port", "create", "--switch", "blue", "--mac", "52:54:00:00:00:01");
        assertThat(ctl("port", "bind", "port-1", "--host", "esx-1").exit()).isZero();
        rest.fake().clearCalls();
    }

    @Test
    void portMoveShowCompleteAndHistory() throws Exception {
        seedBoundPort();
        Result move = ctl("port", "move", "port-1", "--to", "esx-2");
        assertThat(move.exit())
                .as("a started move (HTTP 202 without --wait) is done as asked: " + move.err())
                .isZero();
        assertThat(move.err()).isEmpty();
        assertThat(move.json().get("state").asText()).isEqualTo("MIGRATING");
        assertThat(move.json().get("toVlan").asInt()).isEqualTo(101);

        Result show = ctl("port", "migration", "port-1", "-o", "table");
        assertThat(show.exit()).as(show.err()).isZero();
        assertThat(show.out().lines().toList())
                .containsExactly(
                        "PORT    STATE      FROM   TO     FROM-VLAN  TO-VLAN  ACTIVATED-BY  DEADLINE              ENDED"
                                + "  REALIZED    PENDING",
                        "port-1  MIGRATING  esx-1  esx-2  100        101      -             2026-12-06T12:10:03Z  -    "
                                + "  not-waited  -");

        Result complete = ctl("port", "move-complete", "port-1", "--wait", "-o", "table");
        assertThat(complete.exit()).as(complete.err()).isZero();
        assertThat(complete.out().lines().toList())
                .containsExactly(
                        "PORT    STATE      FROM   TO     FROM-VLAN  TO-VLAN  ACTIVATED-BY  DEADLINE              ENDED"
                                + "                 REALIZED  PENDING",
                        "port-1  COMPLETED  esx-1  esx-2  100        101      API           2026-12-06T12:10:03Z"
                                + "  2026-12-06T12:00:06Z  yes       -");

        Result history = ctl("port", "history", "port-1", "-o", "table");
        assertThat(history.exit()).as(history.err()).isZero();
        assertThat(history.out().lines().toList())
                .containsExactly(
                        "SEQ  AT                    EVENT          DETAIL",
                        "1    2026-12-06T12:00:01Z  Created        switch=blue,mac=52:54:00:00:00:01",
                        "2    2026-12-06T12:00:02Z  Bound          host=esx-1,vlan=100",
                        "3    2026-12-06T12:00:04Z  MoveStarted    from=esx-1,to=esx-2,toVlan=101",
                        "4    2026-12-06T12:00:07Z  MoveActivated  by=API",
                        "5    2026-12-06T12:00:08Z  MoveCompleted  from=esx-1,to=esx-2");
        Result historyJson = ctl("port", "history", "port-1");
        assertThat(historyJson.json().get("port").asText()).isEqualTo("port-1");
        assertThat(historyJson.json().get("events").size()).isEqualTo(5);

        assertThat(rest.fake().calls())
                .containsExactly(
                        "startMigration(port-1, esx-2, false)",
                        "getMigration(port-1)",
                        "completeMigration(port-1, true)",
                        "portHistory(port-1)",
                        "portHistory(port-1)");
    }

    @Test
    void portMoveCancelAndItsRefusal() throws Exception {
        seedBoundPort();
        assertThat(ctl("port", "move", "port-1", "--to", "esx-2", "--wait").exit())
                .isZero();
        Result cancel = ctl("port", "move-cancel", "port-1");
        assertThat(cancel.exit()).as(cancel.err()).isZero();
        assertThat(cancel.json().get("state").asText()).isEqualTo("CANCELLED");

        Result again = ctl("port", "move-cancel", "port-1", "--wait");
        assertThat(again.exit()).isEqualTo(PortmeshCtl.REFUSED);
        assertThat(again.out()).isEmpty();
        assertThat(again.err()).isEqualTo("error: port port-1 has no move under way to cancel (conflict, HTTP 409)\n");

        Result unknownHost = ctl("port", "move", "port-1", "--to", "esx-9");
        assertThat(unknownHost.exit()).isEqualTo(PortmeshCtl.REFUSED);
        assertThat(unknownHost.err()).contains("esx-9").contains("HTTP 404");

        assertThat(rest.fake().calls())
                .containsExactly(
                        "startMigration(port-1, esx-2, true)",
                        "cancelMigration(port-1, false)",
                        "cancelMigration(port-1, true)",
                        "startMigration(port-1, esx-9, false)");
    }

    @Test
    void aWaitedMoveNotRealizedExitsWith4NamingThePendingHosts() {
        seedBoundPort();
        rest.fake().pendingHosts(List.of("esx-3"));
        Result r = ctl("port", "move", "port-1", "--to", "esx-2", "--wait");
        assertThat(r.exit()).isEqualTo(PortmeshCtl.NOT_REALIZED);
        assertThat(r.err()).contains("not yet realized on: esx-3");
    }

    @Test
    void aMoveWithoutItsDestinationIsAUsageError() {
        Result r = ctl("port", "move", "port-1");
        assertThat(r.exit()).isEqualTo(PortmeshCtl.USAGE);
        assertThat(r.err()).contains("--to");
        assertThat(ctl("port", "history").exit()).isEqualTo(PortmeshCtl.USAGE);
        assertThat(rest.fake().calls()).isEmpty();
    }

    @Test
    void unrealizedWaitExitsWith4AndNamesThePendingHosts() {
        ctl("switch", "create", "blue");
        ctl("host", "create", "esx-1", "--tunnel-ip", "10.0.0.1");
        ctl("port", "create", "--switch", "blue", "--mac", "52:54:00:00:00:01");
        rest.fake().pendingHosts(List.of("esx-2"));
        Result r = ctl("port", "bind", "port-1", "--host", "esx-1", "--wait");
        assertThat(r.exit()).isEqualTo(PortmeshCtl.NOT_REALIZED);
        assertThat(r.out()).contains("\"pendingHosts\" : [ \"esx-2\" ]");
        assertThat(r.err()).contains("not yet realized on: esx-2");
    }

    @Test
    void refusedRequestExitsWith1AndPrintsTheMessageOnStderr() {
        Result notFound = ctl("switch", "get", "nope");
        assertThat(notFound.exit()).isEqualTo(PortmeshCtl.REFUSED);
        assertThat(notFound.out()).isEmpty();
        assertThat(notFound.err()).isEqualTo("error: switch nope does not exist (not_found, HTTP 404)\n");

        Result badMac = ctl("port", "create", "--switch", "blue", "--mac", "ff:ff:ff:ff:ff:ff");
        assertThat(badMac.exit()).isEqualTo(PortmeshCtl.REFUSED);
        assertThat(badMac.err()).startsWith("error: mac: ").contains("(invalid, HTTP 400)");
    }

    @Test
    void idsAreEncodedAsOnePathSegment() {
        Result r = ctl("port", "get", "a/b");
        assertThat(r.exit()).isEqualTo(PortmeshCtl.REFUSED);
        assertThat(r.err()).startsWith("error: portId: 'a/b'");
        assertThat(rest.fake().calls()).isEmpty();
    }

    @Test
    void serverFailureAndUnreachableControllerExitWith3() throws Exception {
        rest.fake().failNext(new UnavailableException("host entity esx-1 did not answer"));
        Result unavailable = ctl("host", "list");
        assertThat(unavailable.exit()).isEqualTo(PortmeshCtl.FAILED);
        assertThat(unavailable.err()).contains("esx-1 did not answer").contains("HTTP 503");

        Result unreachable = ctl("--url", "http://127.0.0.1:" + closedPort(), "cluster");
        assertThat(unreachable.exit()).isEqualTo(PortmeshCtl.FAILED);
        assertThat(unreachable.err()).startsWith("error: cannot reach the controller at http://127.0.0.1:");
    }

    @Test
    void clusterAsTableMarksTheLeader() {
        Result r = ctl("cluster", "-o", "table");
        assertThat(r.exit()).isZero();
        assertThat(r.out().lines().toList())
                .containsExactly(
                        "ADDRESS                           STATUS  REACHABLE  ROLES       LEADER  SHARDS",
                        "pekko://portmesh@127.0.0.1:25520  Up      yes        dc-default  yes     LogicalPort=3/7");
    }

    @Test
    void usageErrorsExitWith2WithoutARequest() {
        assertThat(ctl().exit()).isEqualTo(PortmeshCtl.USAGE);
        assertThat(ctl("switch").exit()).isEqualTo(PortmeshCtl.USAGE);
        Result missing = ctl("host", "create", "esx-1");
        assertThat(missing.exit()).isEqualTo(PortmeshCtl.USAGE);
        assertThat(missing.err()).contains("--tunnel-ip");
        Result badUrl = ctl("--url", "ftp://x", "switch", "list");
        assertThat(badUrl.exit()).isEqualTo(PortmeshCtl.USAGE);
        assertThat(badUrl.err()).contains("--url");
        assertThat(ctl("switch", "create", "a", "--vni", "five").exit()).isEqualTo(PortmeshCtl.USAGE);
        assertThat(rest.fake().calls()).isEmpty();
    }

    @Test
    void helpListsTheSubcommandsAndExitCodes() {
        Result r = ctl("--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("switch", "host", "port", "cluster", "Exit codes");
        Result host = ctl("host", "--help");
        assertThat(host.exit()).isZero();
        assertThat(host.out()).contains("create", "list", "get", "failover");
        Result port = ctl("port", "--help");
        assertThat(port.exit()).isZero();
        assertThat(port.out())
                .contains("create", "bind", "unbind", "move", "migration", "move-cancel", "move-complete", "history");
    }
}
