package io.portmesh.agent.control;

import static io.portmesh.agent.control.SourceRelayAgentTest.portFreeOnAll;
import static io.portmesh.agent.control.SourceRelayAgentTest.track;

import io.portmesh.openflow.OfConnection;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The set-up of the relay and straggler agent tests (docs/architecture.md 7.1): three agents A, B and C on one
 * scripted controller, over real TCP and UDP on loopback, where what reaches A through the tunnel from the relay
 * address is held back {@code delayMs} ({@link DelayRelay}): a move's source whose data path lags. Everything it
 * starts goes to {@code closeables}.
 */
record DelayedSourceHosts(
        ScriptedController ctl, DatapathAgent a, DatapathAgent b, DatapathAgent c, Map<String, OfConnection> byDesc) {
    /** @param more agent settings (HOCON) every agent gets */
    static DelayedSourceHosts start(
            List<AutoCloseable> closeables,
            String ipA,
            String ipB,
            String ipC,
            String ipRelay,
            int delayMs,
            String more)
            throws Exception {
        ScriptedController ctl = track(closeables, new ScriptedController());
        int vxlanPort = portFreeOnAll(ipA, ipB, ipC, ipRelay);
        List<String> controllers = List.of(ctl.hostPort());
        DatapathAgent a = track(
                closeables,
                DatapathAgent.start(TestAgents.settings("host-a", 0, controllers, ipA, vxlanPort, vxlanPort, more)));
        DatapathAgent b = track(
                closeables,
                DatapathAgent.start(TestAgents.settings("host-b", 0, controllers, ipB, vxlanPort, vxlanPort, more)));
        DatapathAgent c = track(
                closeables,
                DatapathAgent.start(TestAgents.settings("host-c", 0, controllers, ipC, vxlanPort, vxlanPort, more)));
        track(
                closeables,
                new DelayRelay(
                        new InetSocketAddress(ipRelay, vxlanPort), new InetSocketAddress(ipA, vxlanPort), delayMs));
        Map<String, OfConnection> byDesc = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            OfConnection conn = ctl.awaitConnection();
            byDesc.put(conn.switchInfo().orElseThrow().dpDesc(), conn);
        }
        return new DelayedSourceHosts(ctl, a, b, c, byDesc);
    }
}
