package io.portmesh.cluster.rest;

import io.portmesh.model.AgentPin;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.model.ValidationException;
import io.portmesh.sharding.service.NetworkService;
import io.portmesh.sharding.service.Realization;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.util.ByteString;

/**
 * The northbound REST API, version 1: HTTP in front of {@link NetworkService}. Every request body and path id is
 * converted to model types before the service is called, and every failure leaves as a JSON {@link ApiError}.
 */
public final class RestApi extends AllDirectives {
    private static final Unmarshaller<org.apache.pekko.http.javadsl.model.HttpEntity, ByteString> JSON_BYTES =
            Unmarshaller.forMediaType(MediaTypes.APPLICATION_JSON, Unmarshaller.entityToByteString());

    private static final HttpResponse NO_CONTENT = HttpResponse.create().withStatus(204);

    /**
     * Why DELETE /v1/switches/{id} refuses {@code ?wait}: a switch is deleted only once it has no ports, so its deletion
     * changes no agent's flows. What a caller wants to wait for is its ports' removal, which their own deletions wait
     * for; answering "realized" here would claim what this call never checked.
     */
    private static final String SWITCH_DELETE_HAS_NOTHING_TO_WAIT_FOR =
            "a switch is deleted only once it has no ports, so deleting it changes no agent's flows; wait for the"
                    + " ports' removal with DELETE /v1/ports/{portId}?wait=realized";

    /** Prometheus' text format (text/plain without a version parameter means its version 0.0.4). */
    private static final ContentType METRICS_TYPE = MediaTypes.TEXT_PLAIN.toContentType(HttpCharsets.UTF_8);

    private final NetworkService svc;
    private final RestSettings settings;
    private final Supplier<byte[]> metrics;
    private final NodeHealth health;
    private final ExceptionHandler exceptions;

    private RestApi(NetworkService svc, RestSettings settings, Supplier<byte[]> metrics, NodeHealth health) {
        this.svc = svc;
        this.settings = settings;
        this.metrics = metrics;
        this.health = health;
        this.exceptions = ExceptionHandler.newBuilder()
                .matchAny(t -> Directives.complete(failure(t)))
                .build();
    }

    /**
     * The complete route: /alive (and its old name /health), /ready, /metrics (the node's metrics in Prometheus' text
     * format), /v1/..., with JSON errors for everything including unknown paths; behind {@link AccessControl} when
     * the settings turn authentication on.
     */
    public static Route routes(NetworkService svc, RestSettings settings, Supplier<byte[]> metrics, NodeHealth health) {
        return new RestApi(svc, settings, metrics, health).all();
    }

    private HttpResponse failure(Throwable t) {
        return ErrorResponses.fromThrowable(t, health::unavailableBecause);
    }

    private Route all() {
        RejectionHandler rejections = RejectionHandler.newBuilder()
                // the body could not be read at all (over the size limit, a broken chunk): say why, not "malformed"
                .handle(MalformedRequestContentRejection.class, r -> complete(failure(r.getCause())))
                .build()
                .withFallback(RejectionHandler.defaultHandler().mapRejectionResponse(ErrorResponses::fromRejection));
        return handleRejections(
                rejections,
                () -> handleExceptions(
                        exceptions,
                        () -> AccessControl.guard(
                                settings.auth(),
                                () -> withRequestTimeout(
                                        settings.requestTimeout(),
                                        req -> ErrorResponses.unavailable(
                                                "the controller did not answer within "
                                                        + settings.requestTimeout()
                                                                .toSeconds() + " s; "
                                                        + ErrorResponses.MAY_BE_APPLIED,
                                                health.unavailableBecause()),
                                        () -> withSizeLimit(
                                                settings.maxBodyBytes(),
                                                () -> concat(
                                                        path(
                                                                "alive",
                                                                () -> get(
                                                                        () -> complete(HealthResponses.alive(health)))),
                                                        // the old name of /alive, kept for the clients that use it
                                                        path(
                                                                "health",
                                                                () -> get(
                                                                        () -> complete(HealthResponses.alive(health)))),
                                                        path(
                                                                "ready",
                                                                () -> get(
                                                                        () -> complete(HealthResponses.ready(health)))),
                                                        path(
                                                                "metrics",
                                                                () -> get(() -> complete(HttpResponse.create()
                                                                        .withEntity(METRICS_TYPE, metrics.get())))),
                                                        pathPrefix(
                                                                "v1", () -> refusingChangesWhenToldTo(this::v1))))))));
    }

    /** A change (any method but GET and HEAD) while the node refuses changes is answered 503 at once, untouched. */
    private Route refusingChangesWhenToldTo(Supplier<Route> inner) {
        return extractMethod(method -> {
            if (method.isSafe()) {
                return inner.get();
            }
            return health.changesRefusedBecause()
                    .map(why -> complete(ErrorResponses.unavailable(
                            "changes are refused until it answers again: nothing was changed, and the request may"
                                    + " be retried",
                            Optional.of(why))))
                    .orElseGet(inner);
        });
    }

    private Route v1() {
        return concat(
                pathPrefix("switches", this::switches),
                pathPrefix("hosts", this::hosts),
                pathPrefix("ports", this::ports),
                path("cluster", () -> get(() -> reply(svc::clusterInfo, JsonCodec::ok))),
                path("openapi.yaml", () -> get(() -> complete(OpenApiDocument.response()))));
    }

    private Route switches() {
        return concat(
                pathEnd(() -> concat(
                        post(() -> waitParam(w -> createSwitch())),
                        get(() -> reply(svc::listSwitches, JsonCodec::ok)))),
                pathPrefix(
                        PathMatchers.segment(),
                        raw -> concat(
                                pathEnd(() -> concat(
                                        get(() -> {
                                            SwitchId id = SwitchId.of(raw);
                                            return reply(() -> svc.getSwitch(id), JsonCodec::ok);
                                        }),
                                        delete(() -> noWaitParam(SWITCH_DELETE_HAS_NOTHING_TO_WAIT_FOR, () -> {
                                            SwitchId id = SwitchId.of(raw);
                                            return reply(() -> svc.deleteSwitch(id), v -> NO_CONTENT);
                                        })))),
                                path("ports", () -> portsOfSwitch(raw)))));
    }

    private Route createSwitch() {
        return body(Requests.CreateSwitch.class, r -> {
            SwitchId id = r.switchId();
            Optional<Integer> vni = r.checkedVni();
            return reply(() -> svc.createSwitch(id, vni), v -> created("/v1/switches/" + id, v));
        });
    }

    private Route portsOfSwitch(String rawSwitchId) {
        return concat(
                post(() -> waitParam(w -> body(Requests.CreatePort.class, r -> {
                    SwitchId id = SwitchId.of(rawSwitchId);
                    Mac mac = r.checkedMac();
                    List<Ipv4> ips = r.checkedIps();
                    Optional<String> name = r.checkedName();
                    return reply(() -> svc.createPort(id, mac, ips, name), v -> created("/v1/ports/" + v.id(), v));
                }))),
                get(() -> {
                    SwitchId id = SwitchId.of(rawSwitchId);
                    return reply(() -> svc.listPorts(id), JsonCodec::ok);
                }));
    }

    private Route hosts() {
        return concat(
                pathEnd(() -> concat(
                        post(() -> waitParam(w -> body(Requests.CreateHost.class, r -> {
                            HostId id = r.hostId();
                            Ipv4 tunnelIp = r.checkedTunnelIp();
                            Map<String, AgentPin> pins = r.checkedPins();
                            return reply(() -> svc.createHost(id, tunnelIp, pins), v -> created("/v1/hosts/" + id, v));
                        }))),
                        get(() -> reply(svc::listHosts, JsonCodec::ok)))),
                pathPrefix(
                        PathMatchers.segment(),
                        raw -> concat(
                                pathEnd(() -> get(() -> {
                                    HostId id = HostId.of(raw);
                                    return reply(() -> svc.getHost(id), JsonCodec::ok);
                                })),
                                path("failover", () -> post(() -> failover(raw))),
                                path(
                                        "pins",
                                        () -> put(() -> body(Requests.Pins.class, r -> {
                                            HostId id = HostId.of(raw);
                                            Map<String, AgentPin> pins = r.checked("");
                                            return reply(() -> svc.pinAgents(id, pins), JsonCodec::ok);
                                        }))))));
    }

    /**
     * A planned switch-over to the host's standby switch VM. The service answers once it is done or the realization
     * timeout passed, so the call always waits: {@code ?wait=realized} is accepted and changes nothing, as on the
     * creations; anything else in {@code wait} is refused.
     */
    private Route failover(String rawHostId) {
        return waitParam(w -> noFields(() -> {
            HostId id = HostId.of(rawHostId);
            return reply(() -> svc.failover(id), JsonCodec::ok);
        }));
    }

    private Route ports() {
        return pathPrefix(
                PathMatchers.segment(),
                raw -> concat(
                        pathEnd(() -> concat(
                                get(() -> {
                                    PortId id = PortId.of(raw);
                                    return reply(() -> svc.getPort(id), JsonCodec::ok);
                                }),
                                delete(() -> waitParam(w -> {
                                    PortId id = PortId.of(raw);
                                    return reply(() -> svc.deletePort(id, w), v -> w ? realization(v, v) : NO_CONTENT);
                                })))),
                        path(
                                "binding",
                                () -> concat(
                                        put(() -> waitParam(w -> body(Requests.Bind.class, r -> {
                                            PortId id = PortId.of(raw);
                                            HostId host = r.hostId();
                                            return reply(
                                                    () -> svc.bindPort(id, host, w),
                                                    v -> realization(v.realization(), v));
                                        }))),
                                        delete(() -> waitParam(w -> {
                                            PortId id = PortId.of(raw);
                                            return reply(() -> svc.unbindPort(id, w), v -> realization(v, v));
                                        })))),
                        pathPrefix("migration", () -> migration(raw)),
                        path(
                                "history",
                                () -> get(() -> {
                                    PortId id = PortId.of(raw);
                                    return reply(
                                            () -> svc.portHistory(id),
                                            v -> JsonCodec.ok(new PortHistory(id.value(), v)));
                                }))));
    }

    /** A port's live move: start it, read it, cancel it, or complete it as the VM's arrival would. */
    private Route migration(String rawPortId) {
        return concat(
                pathEnd(() -> concat(
                        post(() -> waitParam(w -> body(Requests.Move.class, r -> {
                            PortId id = PortId.of(rawPortId);
                            HostId to = r.hostId();
                            return reply(() -> svc.startMigration(id, to, w), v -> started(v.realization(), v));
                        }))),
                        get(() -> {
                            PortId id = PortId.of(rawPortId);
                            return reply(() -> svc.getMigration(id), JsonCodec::ok);
                        }),
                        delete(() -> waitParam(w -> {
                            PortId id = PortId.of(rawPortId);
                            return reply(() -> svc.cancelMigration(id, w), v -> realization(v.realization(), v));
                        })))),
                path(
                        "complete",
                        () -> post(() -> waitParam(w -> noFields(() -> {
                            PortId id = PortId.of(rawPortId);
                            return reply(() -> svc.completeMigration(id, w), v -> realization(v.realization(), v));
                        })))));
    }

    /**
     * {@code ?wait=realized} on a mutating call; anything else is refused so typos do not pass. On the creations
     * (switch, host, port) it is accepted and already true when they answer: a new switch or host has no ports and a
     * new port is unbound, so no agent has anything to change.
     */
    private Route waitParam(Function<Boolean, Route> inner) {
        return parameterOptional("wait", w -> {
            if (w.isEmpty()) {
                return inner.apply(false);
            }
            if (!w.get().equals("realized")) {
                throw new ValidationException("wait", "'" + w.get() + "' is not supported; use wait=realized");
            }
            return inner.apply(true);
        });
    }

    /** Refuses {@code ?wait} on a call that has nothing to wait for, saying {@code why}, rather than ignore it. */
    private Route noWaitParam(String why, Supplier<Route> inner) {
        return parameterOptional("wait", w -> {
            if (w.isPresent()) {
                throw new ValidationException("wait", "not supported here: " + why);
            }
            return inner.get();
        });
    }

    private <T> Route body(Class<T> type, Function<T, Route> inner) {
        return entity(JSON_BYTES, bytes -> inner.apply(JsonCodec.read(bytes, type)));
    }

    /**
     * The body of a call that takes no fields: none at all (whatever its content type), or {@code {}}; a body that is
     * there is read as {@link #body} reads it, so a field in it is refused by name.
     */
    private Route noFields(Supplier<Route> inner) {
        return extractRequestEntity(
                e -> e.isKnownEmpty() ? inner.get() : body(Requests.NoFields.class, r -> inner.get()));
    }

    /** A wait that ended before every host acknowledged is not an error: 202 with the pending hosts. */
    private static HttpResponse realization(Realization r, Object body) {
        boolean pending = r != null && r.waited() && !r.realized();
        return JsonCodec.response(pending ? 202 : 200, body);
    }

    /**
     * A move answers once it is started, long before the VM runs on the destination: 202, or 200 when the request
     * waited and the destination and every peer acknowledged it.
     */
    private static HttpResponse started(Realization r, Object body) {
        boolean realized = r != null && r.waited() && r.realized();
        return JsonCodec.response(realized ? 200 : 202, body);
    }

    private static HttpResponse created(String location, Object body) {
        return JsonCodec.response(201, body).addHeader(Location.create(location));
    }

    private <T> Route reply(Supplier<CompletionStage<T>> call, Function<T, HttpResponse> ok) {
        CompletionStage<T> stage;
        try {
            stage = call.get();
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        return completeWithFuture(stage.handle((v, e) -> e == null ? ok.apply(v) : failure(e)));
    }
}
