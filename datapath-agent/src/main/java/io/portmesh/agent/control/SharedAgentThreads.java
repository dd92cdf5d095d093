package io.portmesh.agent.control;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.portmesh.agent.io.UdpReceiveLoops;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The threads that many agents of one JVM share ({@link DatapathAgent#start(AgentSettings, SharedAgentThreads)}): the
 * OpenFlow I/O event loops, the control threads (each agent's control work runs, in order, on one of them) and the UDP
 * receive loops of their trunk and VXLAN ports. An agent on its own has one of each per agent plus a receive thread
 * per port; the scale run's two thousand agents in one JVM would be eight thousand threads (six thousand were measured,
 * and they paused the JVM for seconds at a time). The owner closes its agents first, then this.
 *
 * <p>The shared loops are watched for stalls here, once each ({@link ThreadStallWatch}), not once per agent.
 */
public final class SharedAgentThreads implements AutoCloseable {
    private final EventLoopGroup io;
    private final EventExecutorGroup control;
    private final UdpReceiveLoops udp;
    private final List<Runnable> stopWatches = new ArrayList<>();

    private SharedAgentThreads(EventLoopGroup io, EventExecutorGroup control, UdpReceiveLoops udp) {
        this.io = io;
        this.control = control;
        this.udp = udp;
    }

    /**
     * @param ioThreads OpenFlow I/O event loops
     * @param controlThreads control threads (flow-mods, role requests, packet-ins of all the agents)
     * @param udpThreads UDP receive loops (every frame of every agent's ports)
     */
    public static SharedAgentThreads start(int ioThreads, int controlThreads, int udpThreads) throws IOException {
        if (ioThreads < 1 || controlThreads < 1 || udpThreads < 1) {
            throw new IllegalArgumentException("shared agent threads: each kind needs at least 1, got io " + ioThreads
                    + ", control " + controlThreads + ", udp " + udpThreads);
        }
        UdpReceiveLoops udp = UdpReceiveLoops.start(udpThreads, "agents-udp");
        EventLoopGroup io = new MultiThreadIoEventLoopGroup(ioThreads, NioIoHandler.newFactory());
        EventExecutorGroup control = new DefaultEventExecutorGroup(controlThreads, r -> {
            Thread t = new Thread(r, "agents-control");
            t.setDaemon(true);
            return t;
        });
        SharedAgentThreads s = new SharedAgentThreads(io, control, udp);
        for (EventExecutor e : io) {
            s.stopWatches.add(ThreadStallWatch.watchShared("agents' OpenFlow I/O loop", e));
        }
        for (EventExecutor e : control) {
            s.stopWatches.add(ThreadStallWatch.watchShared("agents' control thread", e));
        }
        return s;
    }

    EventLoopGroup io() {
        return io;
    }

    /** The control thread of the next agent: one executor (one thread, tasks in order) of the group, in turn. */
    EventExecutor nextControl() {
        return control.next();
    }

    UdpReceiveLoops udp() {
        return udp;
    }

    /** Stops the threads; close the agents that use them first. */
    @Override
    public void close() {
        stopWatches.forEach(Runnable::run);
        udp.close();
        io.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(30, TimeUnit.SECONDS);
        control.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(30, TimeUnit.SECONDS);
    }
}
