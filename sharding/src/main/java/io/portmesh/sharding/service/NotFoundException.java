package io.portmesh.sharding.service;

/** See {@link NetworkService} for how the API maps it. */
public final class NotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(message);
    }
}
