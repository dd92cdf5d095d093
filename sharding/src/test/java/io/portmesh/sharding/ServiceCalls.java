package io.portmesh.sharding;

import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.SwitchId;
import io.portmesh.sharding.service.NetworkService;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Waiting on a service call in a test, bounded, and making the switch and host a port test needs. */
public final class ServiceCalls {
    private ServiceCalls() {}

    public static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    /** The exception the stage failed with, as the API maps it (an entity's error becomes its exception). */
    public static Throwable failure(CompletionStage<?> stage) throws Exception {
        try {
            Object v = stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + v);
        } catch (ExecutionException e) {
            return Errors.toException(e.getCause());
        }
    }

    public static SwitchId newSwitch(NetworkService svc, String id) throws Exception {
        SwitchId sw = SwitchId.of(id);
        await(svc.createSwitch(sw, Optional.empty()));
        return sw;
    }

    public static HostId newHost(NetworkService svc, String id, String tunnelIp) throws Exception {
        HostId h = HostId.of(id);
        await(svc.createHost(h, Ipv4.parse(tunnelIp)));
        return h;
    }
}
