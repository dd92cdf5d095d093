package io.portmesh.operator;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A Portmesh controller cluster: {@code kubectl get portmeshclusters} (short name {@code pmc}). */
@Group(PortmeshCluster.GROUP)
@Version(PortmeshCluster.VERSION)
@ShortNames("pmc")
public class PortmeshCluster extends CustomResource<PortmeshClusterSpec, PortmeshClusterStatus> implements Namespaced {
    public static final String GROUP = "portmesh.io";
    public static final String VERSION = "v1alpha1";

    @Override
    protected PortmeshClusterStatus initStatus() {
        return new PortmeshClusterStatus();
    }
}
