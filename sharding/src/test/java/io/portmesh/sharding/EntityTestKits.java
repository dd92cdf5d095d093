package io.portmesh.sharding;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

/** Config for entity unit tests: the in-memory journal (unit tests only) with serialization of everything checked. */
public final class EntityTestKits {
    private EntityTestKits() {}

    public static Config config() {
        return EventSourcedBehaviorTestKit.config()
                .withFallback(ConfigFactory.parseString("""
                        pekko.actor.provider = cluster
                        pekko.remote.artery.canonical.port = 0
                        pekko.actor.serialize-messages = off
                        pekko.persistence.snapshot-store.plugin = "pekko.persistence.testkit.snapshotstore.pluginid"
                        """))
                .withFallback(ConfigFactory.load());
    }
}
