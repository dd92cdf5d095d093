package io.portmesh.cluster.membership;

import com.typesafe.config.Config;
import java.util.List;
import org.apache.pekko.cluster.ConfigValidation;
import org.apache.pekko.cluster.JoinConfigCompatChecker;

/**
 * Refuses a node whose messages the cluster cannot read: both sides of a join compare {@code portmesh.wire-version},
 * which changes whenever a message between nodes does (a command class moved or renamed: its class name is its
 * Jackson manifest; docs/architecture.md section 8.3). A node of another version, or of a version before this check,
 * is not let in, rather than joining and silently dropping the other version's agent sessions, fan-out and asks;
 * such an upgrade is a full restart (README, Upgrading). Registered in this module's reference.conf.
 */
public final class WireVersionCheck extends JoinConfigCompatChecker {
    static final String KEY = "portmesh.wire-version";

    @Override
    public scala.collection.immutable.Seq<String> requiredKeys() {
        return scala.jdk.javaapi.CollectionConverters.asScala(List.of(KEY)).toList();
    }

    @Override
    public ConfigValidation check(Config toCheck, Config actualConfig) {
        return JoinConfigCompatChecker.fullMatch(requiredKeys(), toCheck, actualConfig);
    }
}
