package io.portmesh.model.flow;

import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;

/**
 * The match of a flow in the Portmesh plan: only the fields the pipeline of docs/architecture.md section 5 uses. A null
 * field is a wildcard. Masks exist where the pipeline needs them (metadata carries the VNI in its low 24 bits;
 * eth_dst may match the multicast bit).
 */
public record FlowMatch(
        Integer inPort,
        Mac ethSrc,
        Mac ethDst,
        Mac ethDstMask,
        Integer ethType,
        Integer vlanVid,
        Long tunnelId,
        Long metadata,
        Long metadataMask,
        Integer arpOp,
        Ipv4 arpTpa) {

    public static final FlowMatch ALL = builder().build();

    public static Builder builder() {
        return new Builder();
    }

    /** A fluent builder: flows are written in the compiler as readable one-liners. */
    public static final class Builder {
        private Integer inPort;
        private Mac ethSrc;
        private Mac ethDst;
        private Mac ethDstMask;
        private Integer ethType;
        private Integer vlanVid;
        private Long tunnelId;
        private Long metadata;
        private Long metadataMask;
        private Integer arpOp;
        private Ipv4 arpTpa;

        public Builder inPort(int p) {
            inPort = p;
            return this;
        }

        public Builder ethSrc(Mac m) {
            ethSrc = m;
            return this;
        }

        public Builder ethDst(Mac m) {
            ethDst = m;
            return this;
        }

        public Builder ethDst(Mac m, Mac mask) {
            ethDst = m;
            ethDstMask = mask;
            return this;
        }

        public Builder ethType(int t) {
            ethType = t;
            return this;
        }

        public Builder vlanVid(int v) {
            vlanVid = v;
            return this;
        }

        public Builder tunnelId(long t) {
            tunnelId = t;
            return this;
        }

        public Builder metadata(long value, long mask) {
            metadata = value;
            metadataMask = mask;
            return this;
        }

        public Builder arpOp(int op) {
            arpOp = op;
            return this;
        }

        public Builder arpTpa(Ipv4 ip) {
            arpTpa = ip;
            return this;
        }

        public FlowMatch build() {
            return new FlowMatch(
                    inPort,
                    ethSrc,
                    ethDst,
                    ethDstMask,
                    ethType,
                    vlanVid,
                    tunnelId,
                    metadata,
                    metadataMask,
                    arpOp,
                    arpTpa);
        }
    }
}
