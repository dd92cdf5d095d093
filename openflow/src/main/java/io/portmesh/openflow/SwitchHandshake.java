package io.portmesh.openflow;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.projectfloodlight.openflow.protocol.OFDescStatsReply;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFeaturesReply;
import org.projectfloodlight.openflow.protocol.OFPortDesc;
import org.projectfloodlight.openflow.protocol.OFPortDescStatsReply;

/**
 * Switch phase of the handshake on a controller end: FEATURES_REQUEST, then the DESC and PORT_DESC multipart
 * requests together. Runs on the connection's request machinery, so replies are matched by xid and an
 * OFPT_ERROR answering any of them fails the handshake.
 */
final class SwitchHandshake {
    private SwitchHandshake() {}

    static CompletableFuture<OfSwitchInfo> run(OfConnection connection) {
        OFFactory f = connection.factory();
        return connection
                .request(f.buildFeaturesRequest().setXid(connection.nextXid()).build(), OFFeaturesReply.class)
                .thenCompose(features -> {
                    CompletableFuture<List<OFDescStatsReply>> desc = connection.multipart(f.buildDescStatsRequest()
                            .setXid(connection.nextXid())
                            .build());
                    CompletableFuture<List<OFPortDescStatsReply>> ports =
                            connection.multipart(f.buildPortDescStatsRequest()
                                    .setXid(connection.nextXid())
                                    .build());
                    return desc.thenCombine(
                            ports, (d, p) -> new OfSwitchInfo(features, d.get(d.size() - 1), allPorts(p)));
                });
    }

    private static List<OFPortDesc> allPorts(List<OFPortDescStatsReply> parts) {
        List<OFPortDesc> ports = new ArrayList<>();
        for (OFPortDescStatsReply part : parts) {
            ports.addAll(part.getEntries());
        }
        return ports;
    }
}
