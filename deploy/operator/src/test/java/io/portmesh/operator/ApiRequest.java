package io.portmesh.operator;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URI;

/** A Kubernetes API request as RBAC sees it: API group, resource (with subresource), verb. */
record ApiRequest(String group, String resource, String verb) {

    /** From the method and path of a request the mock server recorded. */
    static ApiRequest of(RecordedRequest r) {
        URI uri = URI.create(r.getPath());
        String[] p = uri.getPath().substring(1).split("/");
        // /api/v1/namespaces/ns/res[/name[/sub]] or /apis/group/version/namespaces/ns/res[/name[/sub]]
        int at = p[0].equals("api") ? 2 : 3;
        String group = p[0].equals("api") ? "" : p[1];
        if (p.length > at && p[at].equals("namespaces") && p.length > at + 2) {
            at += 2;
        }
        String resource = p[at];
        boolean named = p.length > at + 1;
        if (p.length > at + 2) {
            resource += "/" + p[at + 2];
        }
        String query = uri.getQuery() == null ? "" : uri.getQuery();
        String verb = switch (r.getMethod()) {
            case "GET" -> named ? "get" : query.contains("watch=true") ? "watch" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> throw new IllegalArgumentException("no RBAC verb for " + r.getRequestLine());
        };
        return new ApiRequest(group, resource, verb);
    }

    boolean allowedBy(ClusterRole role) {
        return role.getRules().stream().anyMatch(this::allowedBy);
    }

    private boolean allowedBy(PolicyRule rule) {
        return rule.getApiGroups().contains(group)
                && rule.getResources().contains(resource)
                && rule.getVerbs().contains(verb);
    }
}
