package io.portmesh.cluster.rest;

/** The one shape of every error body: a stable machine-readable code and a message that names the culprit. */
public record ApiError(String error, String message) {}
