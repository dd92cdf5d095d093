package io.portmesh.loadtest.bind;

import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.loadtest.BenchTls;
import io.portmesh.loadtest.FirstConnection;
import io.portmesh.openflow.OfConnection;
import io.portmesh.openflow.OfRole;
import io.portmesh.openflow.OfServer;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One barrier round trip from a controller-side connection to a real agent over loopback TCP: a bare {@link OfServer}
 * in the CONTROLLER role that one extra agent connects to, so that nothing but OpenFlow is on the path (over mutual
 * TLS when the benchmark's TLS is on).
 */
public final class BarrierProbe {
    private static final int WARMUP = 50;

    private BarrierProbe() {}

    public static Samples measure(String agentAddress, int vxlanPort, int barriers) throws Exception {
        return measure(agentAddress, vxlanPort, barriers, BenchTls.off());
    }

    public static Samples measure(String agentAddress, int vxlanPort, int barriers, BenchTls tls) throws Exception {
        FirstConnection listener = new FirstConnection();
        var builder = OfServer.builder(OfRole.CONTROLLER, listener);
        tls.serverContext().ifPresent(builder::sslContext);
        String host = "bench-barrier-probe";
        try (OfServer server = builder.bind(new InetSocketAddress("127.0.0.1", 0))) {
            var settings = BenchHosts.agentSettings(
                            host, agentAddress, vxlanPort, List.of("127.0.0.1:" + server.port()))
                    .withTls(tls.agent(host));
            try (DatapathAgent agent = DatapathAgent.start(settings)) {
                OfConnection c = listener.connection().get(30, TimeUnit.SECONDS);
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
