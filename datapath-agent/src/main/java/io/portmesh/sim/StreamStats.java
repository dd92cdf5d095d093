package io.portmesh.sim;

/**
 * What one {@link FrameStream} came to, counted by sequence number at the receiving VM.
 *
 * <ul>
 *   <li>{@code sent}: distinct sequence numbers the sender sent (a number sent again by hand counts once).
 *   <li>{@code received}: distinct sequence numbers the receiver got, however many times each.
 *   <li>{@code lost}: {@code sent - received}. It includes frames still in flight, so read it after a settle wait.
 *   <li>{@code duplicates}: arrivals of a sequence number already received (each extra arrival counts one).
 *   <li>{@code outOfOrder}: first arrivals of a number lower than the highest received before it (also in
 *       {@code received}).
 *   <li>{@code invalid}: stream frames whose sequence number is below 1 or above {@link FrameStream#MAX_SEQ}; no
 *       sender of this package makes them.
 * </ul>
 *
 * Exact whatever the stream's length: the receiver remembers every number it got (one bit each).
 */
public record StreamStats(long sent, long received, long lost, long duplicates, long outOfOrder, long invalid) {
    /** Nothing lost, duplicated or reordered. */
    public boolean clean() {
        return lost == 0 && duplicates == 0 && outOfOrder == 0 && invalid == 0;
    }
}
