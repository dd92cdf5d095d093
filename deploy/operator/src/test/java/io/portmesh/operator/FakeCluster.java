package io.portmesh.operator;

import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The Pekko cluster the pods would form, as {@code GET /v1/cluster} would report it, advanced by the test: a ready pod
 * joins (Up) at the next {@link #converge}; a member whose pod is gone is first listed as Exiting and is removed at the
 * converge after that, as a leaving node is (it stays a member until the leader removes it).
 */
final class FakeCluster implements ClusterEndpoint {
    private final Map<String, String> statusByIp = new LinkedHashMap<>();
    private boolean answering = true;

    void converge(List<Pod> pods) {
        Set<String> liveIps = pods.stream()
                .filter(Rollout::ready)
                .map(p -> p.getStatus().getPodIP())
                .collect(Collectors.toSet());
        for (String ip : new ArrayList<>(statusByIp.keySet())) {
            if (!liveIps.contains(ip)) {
                if (statusByIp.get(ip).equals("Exiting")) {
                    statusByIp.remove(ip);
                } else {
                    statusByIp.put(ip, "Exiting");
                }
            }
        }
        liveIps.forEach(ip -> statusByIp.putIfAbsent(ip, "Up"));
    }

    void stopAnswering() {
        answering = false;
    }

    @Override
    public List<Member> members(PortmeshCluster cluster) throws IOException {
        if (!answering) {
            throw new IOException("connection refused (test)");
        }
        return statusByIp.entrySet().stream()
                .map(e -> new Member("pekko://portmesh@" + e.getKey() + ":2551", e.getValue(), true))
                .toList();
    }
}
