package io.portmesh.sim;

/**
 * What one VM's pings came to. {@code lost} is {@code sent - received}: it includes replies still in flight, so read
 * it after the traffic has settled. {@code received} counts distinct sequence numbers; a reply seen again is a
 * {@code duplicate}, one older than the newest reply seen so far is {@code outOfOrder} (and also received).
 * {@code unexpected} are replies whose sequence number this VM never sent. {@code answered} are requests from others
 * that this VM replied to.
 */
public record PingStats(
        long sent, long received, long lost, long duplicates, long outOfOrder, long unexpected, long answered) {}
