package io.portmesh.cluster;

import io.portmesh.openflow.OfClient;
import io.portmesh.openflow.OfConnection;
import io.portmesh.openflow.OfMessageListener;
import io.portmesh.openflow.OfRole;
import io.portmesh.openflow.tls.OfTlsFiles;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.projectfloodlight.openflow.protocol.OFCapabilities;
import org.projectfloodlight.openflow.protocol.OFControllerRole;
import org.projectfloodlight.openflow.protocol.OFDescStatsRequest;
import org.projectfloodlight.openflow.protocol.OFFeaturesRequest;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPortDescStatsRequest;
import org.projectfloodlight.openflow.protocol.OFRoleRequest;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.OFAuxId;

/**
 * A switch that is no Portmesh agent: it presents a given certificate and says whatever datapath description it is
 * given (an agent refuses to start with a certificate that does not name its host and slot, so a certificate claiming
 * another host takes a client of its own). It answers the controller's handshake, reconnects as every OpenFlow client
 * does, and counts what would show it was taken for the host: master role requests and flow-mods.
 */
final class ImpostorSwitch implements OfMessageListener, AutoCloseable {
    private final String dpDesc;
    private final OfClient client;
    final AtomicInteger masterRequests = new AtomicInteger();
    final AtomicInteger flowMods = new AtomicInteger();

    private ImpostorSwitch(String dpDesc, OfTlsFiles tls, InetSocketAddress controller) {
        this.dpDesc = dpDesc;
        this.client = OfClient.builder(OfRole.SWITCH, this)
                .sslContext(tls.clientContext())
                .connect(controller);
    }

    /** Connects to {@code controller} ("host:port") with {@code tls}, claiming host {@code host} slot a. */
    static ImpostorSwitch claiming(String host, OfTlsFiles tls, String controller) {
        int colon = controller.lastIndexOf(':');
        return new ImpostorSwitch(
                "portmesh host=" + host + " slot=a",
                tls,
                new InetSocketAddress(
                        controller.substring(0, colon), Integer.parseInt(controller.substring(colon + 1))));
    }

    String description() {
        return "impostor '" + dpDesc + "'";
    }

    @Override
    public void onConnected(OfConnection c) {}

    @Override
    public void onMessage(OfConnection c, OFMessage m) {
        if (m instanceof OFFeaturesRequest) {
            c.send(c.factory()
                    .buildFeaturesReply()
                    .setXid(m.getXid())
                    .setDatapathId(DatapathId.of(0xbad))
                    .setNBuffers(0)
                    .setNTables((short) 2)
                    .setAuxiliaryId(OFAuxId.MAIN)
                    .setCapabilities(EnumSet.of(OFCapabilities.FLOW_STATS))
                    .build());
        } else if (m instanceof OFDescStatsRequest) {
            c.send(c.factory()
                    .buildDescStatsReply()
                    .setXid(m.getXid())
                    .setMfrDesc("impostor")
                    .setHwDesc("impostor")
                    .setSwDesc("impostor")
                    .setSerialNum("0")
                    .setDpDesc(dpDesc)
                    .build());
        } else if (m instanceof OFPortDescStatsRequest) {
            c.send(c.factory()
                    .buildPortDescStatsReply()
                    .setXid(m.getXid())
                    .setEntries(List.of())
                    .build());
        } else if (m instanceof OFRoleRequest role && role.getRole() == OFControllerRole.ROLE_MASTER) {
            masterRequests.incrementAndGet();
        } else if (m instanceof OFFlowMod) {
            flowMods.incrementAndGet();
        }
    }

    @Override
    public void onDisconnected(OfConnection c, Throwable cause) {}

    @Override
    public void close() {
        client.close();
    }
}
