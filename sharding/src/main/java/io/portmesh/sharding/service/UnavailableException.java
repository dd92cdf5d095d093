package io.portmesh.sharding.service;

/** See {@link NetworkService} for how the API maps it. */
public final class UnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnavailableException(String message) {
        super(message);
    }
}
