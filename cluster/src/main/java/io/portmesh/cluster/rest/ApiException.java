package io.portmesh.cluster.rest;

/** A request the REST layer refuses by itself, before any call to the service. */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String code;

    ApiException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    static ApiException badJson(String message) {
        return new ApiException(400, "bad_json", message);
    }

    static ApiException missing(String field) {
        return new ApiException(400, "missing_field", field + ": required field is missing");
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }
}
