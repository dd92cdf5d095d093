package io.portmesh.loadtest.nodeloss;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One answer of {@code GET /v1/cluster}: the members with their status, and their reachability where the answer has it
 * ({@code members[].reachable} and the top-level {@code unreachable} array, issue 18; the code before that has neither,
 * and then an unreachable member shows as {@code Up} until it is downed).
 */
public record ClusterView(List<Member> members, List<String> unreachable, boolean saysReachability) {
    /** Member states in which a node is on its way out of the cluster. */
    private static final Set<String> LEAVING = Set.of("Leaving", "Exiting", "Down", "Removed");

    /** {@code reachable} is null when the answer does not say. */
    public record Member(String address, String status, Boolean reachable) {}

    public static ClusterView parse(JsonNode c) {
        List<Member> members = new ArrayList<>();
        boolean says = c.has("unreachable");
        for (JsonNode m : c.path("members")) {
            JsonNode r = m.path("reachable");
            says |= r.isBoolean();
            members.add(new Member(
                    m.path("address").asText(), m.path("status").asText(), r.isBoolean() ? r.asBoolean() : null));
        }
        List<String> unreachable = new ArrayList<>();
        c.path("unreachable")
                .forEach(u -> unreachable.add(
                        u.isTextual() ? u.asText() : u.path("address").asText()));
        return new ClusterView(List.copyOf(members), List.copyOf(unreachable), says);
    }

    /** Exactly these members, every one Up and none said to be unreachable. */
    public boolean allUp(List<String> addresses) {
        return members.size() == addresses.size()
                && unreachable.isEmpty()
                && members.stream()
                        .allMatch(m -> addresses.contains(m.address())
                                && "Up".equals(m.status())
                                && !Boolean.FALSE.equals(m.reachable()));
    }

    public boolean lists(String address) {
        return members.stream().anyMatch(m -> m.address().equals(address));
    }

    /** Listed as unreachable (where the answer says), or downed or leaving (a status past Up). */
    public boolean unreachableOrLeaving(String address) {
        return unreachable.contains(address)
                || members.stream()
                        .anyMatch(m -> m.address().equals(address)
                                && (Boolean.FALSE.equals(m.reachable()) || LEAVING.contains(m.status())));
    }

    /** No longer listed at all: the leader removed it. */
    public boolean removed(String address) {
        return !lists(address);
    }

    /**
     * Members other than {@code except} that were removed or are on their way out (Leaving, Exiting, Down): what a false
     * downing looks like; with {@code orUnreachable} also those said to be unreachable (not yet a downing).
     */
    public List<String> troubleExcept(String except, List<String> addresses, boolean orUnreachable) {
        List<String> out = new ArrayList<>();
        for (String a : addresses) {
            if (a.equals(except)) {
                continue;
            }
            boolean unreachableNow = unreachable.contains(a)
                    || members.stream().anyMatch(m -> m.address().equals(a) && Boolean.FALSE.equals(m.reachable()));
            if (removed(a)) {
                out.add(a + " removed");
            } else if (members.stream().anyMatch(m -> m.address().equals(a) && LEAVING.contains(m.status()))
                    || (orUnreachable && unreachableNow)) {
                out.add(a + " " + status(a));
            }
        }
        return out;
    }

    private String status(String address) {
        return members.stream()
                .filter(m -> m.address().equals(address))
                .map(m -> m.status()
                        + (Boolean.FALSE.equals(m.reachable()) || unreachable.contains(address) ? " unreachable" : ""))
                .findFirst()
                .orElse("absent");
    }

    /** Short, for a message: {@code 127.0.0.1:2551 Up, 127.0.0.1:2552 Up unreachable, ...}. */
    public String describe() {
        List<String> s = new ArrayList<>();
        for (Member m : members) {
            String a = m.address().replace("pekko://portmesh@", "");
            s.add(a + " " + m.status()
                    + (Boolean.FALSE.equals(m.reachable()) || unreachable.contains(m.address()) ? " unreachable" : ""));
        }
        return String.join(", ", s);
    }
}
