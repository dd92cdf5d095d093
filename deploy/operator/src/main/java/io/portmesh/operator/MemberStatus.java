package io.portmesh.operator;

/**
 * One member of the Pekko cluster as {@code GET /v1/cluster} lists it, with the pod it runs in (null when no pod of
 * this cluster has its address).
 */
public record MemberStatus(String address, String status, boolean reachable, String pod) {}
