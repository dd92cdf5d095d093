package io.portmesh.openflow;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;

/** The NIO event loop group a server or client creates when the caller does not pass one. */
final class EventLoops {
    private EventLoops() {}

    static EventLoopGroup newGroup(String name, int threads) {
        return new MultiThreadIoEventLoopGroup(
                threads, new DefaultThreadFactory(name, true), NioIoHandler.newFactory());
    }

    /** Shuts a group down without the default two-second quiet period, waiting a bounded time. */
    static void shutdown(EventLoopGroup group) {
        var termination = group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        if (!inside(group)) {
            termination.awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** True on one of the group's own threads, where waiting for it would deadlock. */
    static boolean inside(EventLoopGroup group) {
        for (EventExecutor executor : group) {
            if (executor.inEventLoop()) {
                return true;
            }
        }
        return false;
    }
}
