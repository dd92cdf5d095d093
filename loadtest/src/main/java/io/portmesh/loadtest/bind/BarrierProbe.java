package io.portmesh.loadtest.bind;

import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.openflow.OfConnection;
import io.portmesh.openflow.OfMessageListener;
import io.portmesh.openflow.OfRole;
import io.portmesh.openflow.OfServer;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.projectfloodlight.openflow.protocol.OFMessage;

/**
 * One barrier round trip from a controller-side connection to a real agent over loopback TCP: a bare {@link OfServer}
 * in the CONTROLLER role that one extra agent connects to, so that nothing but OpenFlow is on the path.
 */
public final class BarrierProbe {
    private static final int WARMUP = 50;

    private BarrierProbe() {}

    public static Samples measure(String agentAddress, int vxlanPort, int barriers) throws Exception {
        CompletableFuture<OfConnection> connected = new CompletableFuture<>();
        OfMessageListener listener = new OfMessageListener() {
            @Override
            public void onConnected(OfConnection c) {
                connected.complete(c);
            }

            @Override
            public void onMessage(OfConnection c, OFMessage m) {}

            @Override
            public void onDisconnected(OfConnection c, Throwable cause) {}
        };
        try (OfServer server =
                OfServer.builder(OfRole.CONTROLLER, listener).bind(new InetSocketAddress("127.0.0.1", 0))) {
            var settings = BenchHosts.agentSettings(
                    "bench-barrier-probe", agentAddress, vxlanPort, List.of("127.0.0.1:" + server.port()));
            try (DatapathAgent agent = DatapathAgent.start(settings)) {
                OfConnection c = connected.get(30, TimeUnit.SECONDS);
                for (int i = 0; i < WARMUP; i++) {
                    c.barrier().get(5, TimeUnit.SECONDS);
                }
                long[] nanos = new long[barriers];
                for (int i = 0; i < barriers; i++) {
                    long t = System.nanoTime();
                    c.barrier().get(5, TimeUnit.SECONDS);
                    nanos[i] = System.nanoTime() - t;
                }
                return Samples.of(nanos);
            }
        }
    }
}
