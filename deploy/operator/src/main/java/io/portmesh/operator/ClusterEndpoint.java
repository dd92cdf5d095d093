package io.portmesh.operator;

import java.io.IOException;
import java.util.List;

/** Where the operator learns a cluster's members: {@code GET /v1/cluster} of its controllers (tests give their own). */
public interface ClusterEndpoint {
    /** The members one controller of {@code cluster} reports; an IOException when none answers. */
    List<Member> members(PortmeshCluster cluster) throws IOException;

    /** A member as {@code GET /v1/cluster} lists it ({@code pekko://portmesh@10.244.1.7:2551}, Up, reachable). */
    record Member(String address, String status, boolean reachable) {
        /** The host of the address: the pod IP (application.conf sets the canonical hostname to it). */
        public String host() {
            int at = address.indexOf('@');
            int colon = address.lastIndexOf(':');
            if (at < 0 || colon < at) {
                throw new IllegalArgumentException("not a Pekko member address (pekko://system@host:port): " + address);
            }
            return address.substring(at + 1, colon);
        }
    }
}
