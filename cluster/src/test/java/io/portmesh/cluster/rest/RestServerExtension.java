package io.portmesh.cluster.rest;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link RestTestServer} for one test class: started before its tests, its fake service's calls cleared before each
 * test, closed after them. Register it as a static field with {@code @RegisterExtension}.
 */
public final class RestServerExtension implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
    private final String name;
    private final RestSettings settings;
    private RestTestServer server;

    public RestServerExtension(String name, RestSettings settings) {
        this.name = name;
        this.settings = settings;
    }

    public RestTestServer server() {
        return server;
    }

    public FakeNetworkService fake() {
        return server.fake;
    }

    public FakeNodeHealth health() {
        return server.health;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        server = new RestTestServer(name, settings);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        server.fake.reset();
        server.health.reset();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        server.close();
    }
}
