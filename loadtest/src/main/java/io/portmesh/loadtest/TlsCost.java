package io.portmesh.loadtest;

/**
 * One figure measured with TLS off and with TLS on in the same run, and what TLS costs: the difference and its ratio
 * to the figure without TLS. For a latency the cost is how much longer it is with TLS; for a rate (more is better)
 * how much lower, so that a positive cost always means TLS made it worse.
 *
 * @param what the figure's name, e.g. "bind p99"
 * @param unit printed after each value, e.g. "ms" or "flow-mods/s"
 * @param off the figure with TLS off
 * @param on the figure with TLS on
 * @param higherIsBetter true for a rate, false for a latency
 */
public record TlsCost(String what, String unit, double off, double on, boolean higherIsBetter) {
    public static TlsCost latency(String what, double offMs, double onMs) {
        return new TlsCost(what, "ms", offMs, onMs, false);
    }

    public static TlsCost rate(String what, String unit, double off, double on) {
        return new TlsCost(what, unit, off, on, true);
    }

    /** How much worse with TLS, in the figure's unit (negative: better with TLS, i.e. within noise). */
    public double cost() {
        return higherIsBetter ? off - on : on - off;
    }

    /** {@link #cost} relative to the figure without TLS, in percent; NaN when that figure is 0. */
    public double costPercent() {
        return off == 0 ? Double.NaN : 100.0 * cost() / off;
    }

    /** One line, e.g. {@code bind p99: TLS off 41.2 ms, on 48.0 ms; TLS costs +6.8 ms (+16.5%)}. */
    public String line() {
        String format = higherIsBetter ? "%,.0f" : "%.2f";
        String percent = Double.isNaN(costPercent()) ? "n/a" : String.format("%+.1f%%", costPercent());
        return String.format(
                "%s: TLS off " + format + " %s, on " + format + " %s; TLS costs %s %s (%s)",
                what,
                off,
                unit,
                on,
                unit,
                String.format(higherIsBetter ? "%+,.0f" : "%+.2f", cost()),
                unit,
                percent);
    }
}
