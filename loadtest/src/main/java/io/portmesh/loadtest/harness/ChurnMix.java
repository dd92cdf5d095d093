package io.portmesh.loadtest.harness;

import io.portmesh.loadtest.nodeloss.PortLoad;
import java.util.function.IntFunction;

/**
 * How a scenario's create+bind and churn rates share one open-loop load ({@link PortLoad} at their sum): op k is a
 * churn op when the churn ops' running count {@code floor(k * churn / total)} steps up at it, which spreads them evenly
 * (k = 0, 1, 2, ... at create-bind 1/s and churn 1/s: every other op). The j-th churn op leaves its port unbound when j
 * mod 3 = 0 and deletes it (after the unbind) otherwise; the others leave it bound.
 */
final class ChurnMix {
    private ChurnMix() {}

    static IntFunction<PortLoad.End> of(double createBind, double churn) {
        double total = createBind + churn;
        return k -> {
            long before = (long) Math.floor(k * churn / total);
            long after = (long) Math.floor((k + 1) * churn / total);
            if (after == before) {
                return PortLoad.End.BOUND;
            }
            return before % 3 == 0 ? PortLoad.End.UNBOUND : PortLoad.End.DELETED;
        };
    }
}
