package io.portmesh.openflow;

import java.util.List;
import java.util.Objects;
import org.projectfloodlight.openflow.protocol.OFDescStatsReply;
import org.projectfloodlight.openflow.protocol.OFFeaturesReply;
import org.projectfloodlight.openflow.protocol.OFPortDesc;
import org.projectfloodlight.openflow.types.DatapathId;

/**
 * What the controller-side switch phase learned about the switch.
 *
 * @param features the FEATURES_REPLY
 * @param description the DESC multipart reply ({@code dp_desc} carries the switch's identity)
 * @param ports every port of all PORT_DESC reply parts, in order
 */
public record OfSwitchInfo(OFFeaturesReply features, OFDescStatsReply description, List<OFPortDesc> ports) {
    public OfSwitchInfo {
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(description, "description");
        ports = List.copyOf(ports);
    }

    public DatapathId datapathId() {
        return features.getDatapathId();
    }

    /** The switch's {@code dp_desc} string. */
    public String dpDesc() {
        return description.getDpDesc();
    }
}
