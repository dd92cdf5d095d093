package io.portmesh.sharding.service;

/** See {@link NetworkService} for how the API maps it. */
public final class ConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConflictException(String message) {
        super(message);
    }
}
