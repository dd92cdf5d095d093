package io.portmesh.cluster.rest;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A {@link NodeHealth} a test sets: alive and ready with every check passing until told otherwise. */
public final class FakeNodeHealth implements NodeHealth {
    private volatile Optional<String> notAlive = Optional.empty();
    private volatile Optional<String> because = Optional.empty();
    private volatile String cassandra = "ok";
    private volatile Optional<String> refused = Optional.empty();

    public void reset() {
        notAlive = Optional.empty();
        because = Optional.empty();
        cassandra = "ok";
        refused = Optional.empty();
    }

    /** Changes are refused at once, for this reason. */
    public void refuseChanges(String why) {
        refused = Optional.of(why);
    }

    @Override
    public Optional<String> changesRefusedBecause() {
        return refused;
    }

    public void notAlive(String why) {
        notAlive = Optional.of(why);
    }

    /** What leads the next 503s' messages. */
    public void unavailableBecause(String why) {
        because = Optional.of(why);
    }

    /** The Cassandra check's state: {@code ok}, or why not. */
    public void cassandra(String state) {
        cassandra = state;
    }

    @Override
    public Optional<String> notAlive() {
        return notAlive;
    }

    @Override
    public Readiness readiness() {
        Map<String, String> checks = new LinkedHashMap<>();
        checks.put("member", "Up");
        checks.put("cassandra", cassandra);
        checks.put("openflow", "bound");
        boolean ok = cassandra.equals("ok");
        return new Readiness(ok, ok ? null : "the journal (Cassandra) does not answer: " + cassandra, checks);
    }

    @Override
    public Optional<String> unavailableBecause() {
        return because;
    }
}
