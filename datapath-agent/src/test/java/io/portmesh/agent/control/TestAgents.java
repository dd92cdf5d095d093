package io.portmesh.agent.control;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.stream.Collectors;

/** Agent settings the way production reads them (HOCON over reference.conf), pointed at loopback test controllers. */
final class TestAgents {
    private TestAgents() {}

    /**
     * Settings for an agent of {@code host} slot {@code a} whose trunk listens on an ephemeral loopback port and whose
     * VXLAN endpoint is {@code vxlanIp:vxlanPort} (0: ephemeral), sending to peers on {@code remotePort}.
     */
    static AgentSettings settings(
            String host, long dpid, List<String> controllers, String vxlanIp, int vxlanPort, int remotePort) {
        return settings(host, dpid, controllers, vxlanIp, vxlanPort, remotePort, "");
    }

    /** As above, with more {@code portmesh.agent} settings in HOCON (e.g. {@code listen = "127.0.0.1:0"}). */
    static AgentSettings settings(
            String host,
            long dpid,
            List<String> controllers,
            String vxlanIp,
            int vxlanPort,
            int remotePort,
            String moreHocon) {
        String hocon = "portmesh.agent {\n"
                + "  host = \"" + host + "\"\n"
                + "  slot = \"a\"\n"
                + "  dpid = " + dpid + "\n"
                + "  controllers = ["
                + controllers.stream().map(c -> "\"" + c + "\"").collect(Collectors.joining(",")) + "]\n"
                + "  trunk.bind = \"127.0.0.1:0\"\n"
                + "  vxlan.bind = \"" + vxlanIp + ":" + vxlanPort + "\"\n"
                + "  vxlan.remote-port = " + remotePort + "\n"
                + "  openflow.echo-interval = " + ScriptedController.LENIENT_ECHO.toMillis() + "ms\n"
                + "  openflow.echo-miss-limit = " + ScriptedController.LENIENT_ECHO_MISSES + "\n"
                + moreHocon + "\n"
                + "}\n";
        return AgentSettings.fromConfig(ConfigFactory.parseString(hocon)
                .withFallback(ConfigFactory.defaultReference())
                .resolve());
    }

    /**
     * A UDP port free on both loopback addresses at the time of asking, for two VXLAN endpoints that must share one
     * port number (as every VTEP does on 4789). Probes a bounded number of ephemeral ports.
     */
    static int portFreeOnBoth(String ipA, String ipB) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (DatagramChannel a = DatagramChannel.open()) {
                a.setOption(StandardSocketOptions.SO_REUSEADDR, false);
                a.bind(new InetSocketAddress(ipA, 0));
                int port = ((InetSocketAddress) a.getLocalAddress()).getPort();
                try (DatagramChannel b = DatagramChannel.open()) {
                    b.bind(new InetSocketAddress(ipB, port));
                    return port;
                } catch (IOException taken) {
                    // that port is in use on ipB: take another ephemeral one
                }
            }
        }
        throw new IOException("no UDP port free on both " + ipA + " and " + ipB + " in 50 attempts");
    }
}
