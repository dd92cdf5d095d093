package io.portmesh.loadtest.faults;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Optional;

/**
 * What a test needs from the machine (root, iptables): on a developer's machine a test that cannot have it skips with a
 * message; under CI ({@code CI=true}) it fails instead, so that a green CI never hides a test that did not run (as
 * .ci/install-test-deps promises).
 */
public final class Required {
    private Required() {}

    /** {@code missing}: why the test cannot run here, or empty when it can. */
    public static void machine(Optional<String> missing) {
        if (missing.isEmpty()) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("CI must run every test, and this one cannot run: " + missing.get());
        }
        assumeTrue(false, missing.get() + "; skipped (under CI=true this fails)");
    }
}
