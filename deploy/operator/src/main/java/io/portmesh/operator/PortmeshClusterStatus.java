package io.portmesh.operator;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator sees: pods ready, the cluster's members as a controller reports them, conditions. */
public class PortmeshClusterStatus {
    private long observedGeneration;
    private int replicas;
    private int readyReplicas;
    private List<MemberStatus> members = new ArrayList<>();
    private List<Condition> conditions = new ArrayList<>();

    public long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    /** Pods the StatefulSet is asked for now (moves towards spec.replicas one step at a time when scaling down). */
    public int getReplicas() {
        return replicas;
    }

    public void setReplicas(int replicas) {
        this.replicas = replicas;
    }

    public int getReadyReplicas() {
        return readyReplicas;
    }

    public void setReadyReplicas(int readyReplicas) {
        this.readyReplicas = readyReplicas;
    }

    public List<MemberStatus> getMembers() {
        return members;
    }

    public void setMembers(List<MemberStatus> members) {
        this.members = members;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }
}
