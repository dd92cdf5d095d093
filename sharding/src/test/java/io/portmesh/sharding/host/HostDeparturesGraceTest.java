package io.portmesh.sharding.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The two straggler graces a node reads: the usual one, and the longer one when some peers were behind. */
class HostDeparturesGraceTest {
    private static Duration behind(String conf) {
        return HostDepartures.graceWhenBehind(ConfigFactory.parseString(conf));
    }

    @Test
    void theGraceWhenPeersWereBehindDefaultsTo20sAndIsNeverShorterThanTheUsualOne() {
        assertThat(behind("")).isEqualTo(Duration.ofSeconds(20));
        assertThat(behind("portmesh.controller.move-straggler-grace-when-behind = 5s"))
                .hasSeconds(5);
        assertThat(behind("portmesh.controller.move-straggler-grace = 30s\n"
                        + "portmesh.controller.move-straggler-grace-when-behind = 5s"))
                .as("not shorter than the usual grace")
                .hasSeconds(30);
        assertThat(behind("portmesh.controller.move-straggler-grace = 0s"))
                .as("no straggler flow at all")
                .isZero();
    }

    @Test
    void aNegativeGraceIsRefusedWithItsName() {
        assertThatThrownBy(() -> behind("portmesh.controller.move-straggler-grace-when-behind = -1s"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("move-straggler-grace-when-behind");
    }
}
