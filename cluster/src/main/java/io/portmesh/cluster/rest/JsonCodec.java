package io.portmesh.cluster.rest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.util.ByteString;

/**
 * Strict JSON in and out. Requests are parsed here rather than by an unmarshaller so that every Jackson failure
 * becomes an {@link ApiException} whose message names the offending field, and so that nothing is coerced
 * silently ({@code "5"} is not a number, {@code 5} is not a name).
 */
public final class JsonCodec {
    private static final ObjectMapper MAPPER = createMapper();

    private JsonCodec() {}

    /** The mapper the API uses; tests read responses with it to see exactly what a client sees. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    private static ObjectMapper createMapper() {
        ObjectMapper m = new ObjectMapper();
        m.enable(
                DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
                DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        m.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        m.disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        m.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        for (CoercionInputShape shape :
                List.of(CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean)) {
            m.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        m.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Collection).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        return m;
    }

    /** Parses a request body into {@code type}; fails with an {@link ApiException} that names the field. */
    static <T> T read(ByteString body, Class<T> type) {
        if (body.isEmpty()) {
            throw ApiException.badJson("request body is empty; expected a JSON object");
        }
        T value;
        try {
            value = MAPPER.readValue(body.toArray(), type);
        } catch (UnrecognizedPropertyException e) {
            throw new ApiException(
                    400,
                    "unknown_field",
                    path(e) + ": unknown field; accepted fields are " + known(e.getKnownPropertyIds()));
        } catch (JsonMappingException e) {
            throw mappingError(e);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null
                    ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr();
            throw ApiException.badJson("malformed JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.badJson("unreadable request body: " + e.getMessage());
        }
        if (value == null) {
            throw ApiException.badJson("request body must be a JSON object, not null");
        }
        return value;
    }

    private static ApiException mappingError(JsonMappingException e) {
        if (e.getPath().isEmpty()) {
            return ApiException.badJson("request body must be a JSON object");
        }
        String what = e instanceof MismatchedInputException mi && mi.getTargetType() != null
                ? "expected " + describe(mi.getTargetType())
                : e.getOriginalMessage();
        return new ApiException(400, "invalid", path(e) + ": " + what);
    }

    private static String describe(Class<?> target) {
        if (target == String.class) {
            return "a string";
        }
        if (target == Integer.class || target == int.class || target == Long.class || target == long.class) {
            return "an integer";
        }
        if (Collection.class.isAssignableFrom(target)) {
            return "an array";
        }
        if (target == Boolean.class || target == boolean.class) {
            return "true or false";
        }
        return "a " + target.getSimpleName();
    }

    /** {@code ips[1]} or {@code name}: the way a user would point at the field in their own JSON. */
    static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? "body" : sb.toString();
    }

    private static String known(Collection<Object> ids) {
        if (ids == null || ids.isEmpty()) {
            return "none";
        }
        return new TreeSet<>(ids.stream().map(String::valueOf).toList())
                .stream().collect(Collectors.joining(", "));
    }

    /**
     * Every 503 says when to try again. 2 s: long enough not to hammer a node whose entities are busy recovering,
     * short against the time a re-balance takes (seconds), so a client that waits as told loses little.
     */
    static final int RETRY_AFTER_SECONDS = 2;

    /** Every response of the API with a body; a 503 carries {@code Retry-After} (see {@link #RETRY_AFTER_SECONDS}). */
    static HttpResponse response(int status, Object body) {
        try {
            HttpResponse r = HttpResponse.create()
                    .withStatus(StatusCodes.get(status))
                    .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, MAPPER.writeValueAsBytes(body)));
            return status == 503
                    ? r.addHeader(RawHeader.create("Retry-After", Integer.toString(RETRY_AFTER_SECONDS)))
                    : r;
        } catch (JsonProcessingException e) {
            // Only our own records are written here; failing to serialize one is a bug, not a client error.
            throw new IllegalStateException(
                    "cannot serialize " + body.getClass().getName(), e);
        }
    }

    static HttpResponse ok(Object body) {
        return response(200, body);
    }

    static HttpResponse error(int status, String code, String message) {
        return response(status, new ApiError(code, message));
    }
}
