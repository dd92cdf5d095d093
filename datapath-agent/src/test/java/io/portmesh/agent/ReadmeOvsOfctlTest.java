package io.portmesh.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.portmesh.agent.control.DatapathAgent;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.OFVlanVidMatch;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;
import picocli.CommandLine;

/**
 * The README's "Running an agent by hand" section, run as written: the agent is started with the README's options
 * (through {@link AgentMain}'s own parsing) and every {@code ovs-ofctl} command of the section runs verbatim, stock
 * Open vSwitch 3.1 against our agent. Only the addresses change, to free ports, so that the test never meets a real
 * agent or controller on the README's well-known ports.
 */
class ReadmeOvsOfctlTest {
    private static final Path OVS_OFCTL = Path.of("/usr/bin/ovs-ofctl");
    private static final String SECTION = "## Running an agent by hand";
    /** What the README's commands are, in order; the steps below check each one's effect. */
    private static final List<String> SUBCOMMANDS = List.of(
            "show", "dump-ports-desc", "dump-flows", "dump-groups", "add-flow", "mod-flows", "dump-flows", "del-flows");

    private static final OFFactory F = OFFactories.getFactory(OFVersion.OF_13);
    private DatapathAgent agent;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void everyOvsOfctlCommandOfTheReadmeWorksAgainstAnAgentStartedAsTheReadmeSays() throws Exception {
        assumeTrue(Files.isExecutable(OVS_OFCTL), "ovs-ofctl not installed (apt-get install openvswitch-common)");
        ReadmeCommands readme = ReadmeCommands.section(SECTION);
        List<String> agentArgs = readme.argumentsAfter("io.portmesh.agent.AgentMain");
        List<List<String>> ofctl = readme.of("ovs-ofctl");
        assertThat(ofctl).extracting(ReadmeOvsOfctlTest::subcommand).containsExactlyElementsOf(SUBCOMMANDS);

        String readmeListen = agentArgs.get(agentArgs.indexOf("--listen") + 1);
        agent = start(agentArgs);
        String listen = "127.0.0.1:" + agent.listenAddress().orElseThrow().getPort();

        List<Consumer<Result>> checks = List.of(
                this::showsFeaturesAndPorts,
                this::showsPorts,
                out -> assertThat(out.text()).contains("OFPST_FLOW reply"),
                out -> assertThat(out.text()).contains("OFPST_GROUP_DESC reply"),
                out -> assertThat(flows()).singleElement().satisfies(e -> {
                    assertThat(e.getTableId()).isEqualTo(TableId.of(0));
                    assertThat(e.getPriority()).isEqualTo(5);
                    assertThat(e.getMatch().get(MatchField.IN_PORT)).isEqualTo(OFPort.of(1));
                    assertThat(e.getMatch().get(MatchField.VLAN_VID)).isEqualTo(OFVlanVidMatch.ofVlan(10));
                    assertThat(e.getInstructions()).isNotEmpty();
                }),
                out -> assertThat(flows())
                        .singleElement()
                        .satisfies(e -> assertThat(e.getInstructions()).isEmpty()),
                out -> assertThat(out.text()).contains("priority=5").contains("actions=drop"),
                out -> assertThat(flows()).isEmpty());
        for (int i = 0; i < ofctl.size(); i++) {
            List<String> command = new ArrayList<>();
            for (String word : ofctl.get(i)) {
                command.add(word.replace(readmeListen, listen));
            }
            Result out = run(command);
            assertThat(out.exit()).as("%s%n%s", command, out.text()).isZero();
            checks.get(i).accept(out);
        }
    }

    @Test
    void withoutReadWriteAccessTheReadmesAddFlowIsRefusedWithEperm() throws Exception {
        assumeTrue(Files.isExecutable(OVS_OFCTL), "ovs-ofctl not installed (apt-get install openvswitch-common)");
        ReadmeCommands readme = ReadmeCommands.section(SECTION);
        List<String> agentArgs = new ArrayList<>(readme.argumentsAfter("io.portmesh.agent.AgentMain"));
        int access = agentArgs.indexOf("--listen-access");
        assertThat(agentArgs.get(access + 1)).isEqualTo("read-write");
        agentArgs.subList(access, access + 2).clear(); // the default: read-only
        String readmeListen = agentArgs.get(agentArgs.indexOf("--listen") + 1);
        agent = start(agentArgs);
        String listen = "127.0.0.1:" + agent.listenAddress().orElseThrow().getPort();
        List<String> addFlow = readme.of("ovs-ofctl").stream()
                .filter(c -> subcommand(c).equals("add-flow"))
                .findFirst()
                .orElseThrow()
                .stream()
                .map(w -> w.replace(readmeListen, listen))
                .toList();

        Result out = run(addFlow);

        assertThat(out.exit()).isNotZero();
        assertThat(out.text()).contains("OFPFMFC_EPERM");
        assertThat(flows()).isEmpty();
        assertThat(run(List.of(OVS_OFCTL.toString(), "-O", "OpenFlow13", "dump-flows", "tcp:" + listen))
                        .exit())
                .as("reading stays allowed")
                .isZero();
    }

    /** The README's options with every address moved to a free port (the agent and ovs-ofctl see the same ones). */
    private static DatapathAgent start(List<String> readmeArgs) throws IOException {
        List<String> args = new ArrayList<>();
        for (int i = 0; i < readmeArgs.size(); i++) {
            String word = readmeArgs.get(i);
            args.add(word);
            if (List.of("--listen", "--trunk", "--vxlan").contains(word)) {
                args.add(ephemeral(readmeArgs.get(++i)));
            } else if (word.equals("--controller")) {
                i++;
                args.add("127.0.0.1:" + closedPort()); // the agent retries in the background; nothing to meet
            }
        }
        AgentMain main = new AgentMain();
        new CommandLine(main).parseArgs(args.toArray(String[]::new));
        return DatapathAgent.start(main.settings());
    }

    private static String ephemeral(String hostPort) {
        return hostPort.substring(0, hostPort.lastIndexOf(':')) + ":0";
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private void showsFeaturesAndPorts(Result out) {
        assertThat(out.text())
                .contains(String.format("dpid:%016x", agent.datapathId()))
                .contains("n_tables:" + agent.tables().tableCount())
                .contains("1(trunk)")
                .contains("2(vxlan)");
    }

    private void showsPorts(Result out) {
        assertThat(out.text())
                .contains("OFPST_PORT_DESC reply")
                .contains("1(trunk)")
                .contains("2(vxlan)");
    }

    private List<OFFlowStatsEntry> flows() {
        return agent.tables()
                .flowStats(F.buildFlowStatsRequest()
                        .setTableId(TableId.ALL)
                        .setOutPort(OFPort.ANY)
                        .setOutGroup(OFGroup.ANY)
                        .setCookie(U64.ZERO)
                        .setCookieMask(U64.ZERO)
                        .setMatch(F.matchWildcardAll())
                        .build());
    }

    private static String subcommand(List<String> command) {
        return command.stream()
                .skip(1)
                .filter(w -> !w.startsWith("-") && !w.startsWith("OpenFlow"))
                .findFirst()
                .orElseThrow();
    }

    private record Result(int exit, String text) {}

    private static Result run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("ovs-ofctl hung: " + command);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
