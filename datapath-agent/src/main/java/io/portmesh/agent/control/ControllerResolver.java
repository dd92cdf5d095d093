package io.portmesh.agent.control;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns a controller name from {@code portmesh.agent.controllers} into the addresses of every controller node behind
 * it, as they are now. The agent asks again on every {@code controllers-resolve-interval} and after every lost
 * controller connection ({@link ControllerNodes}). {@link DnsControllerResolver} is the one the agent runs with; a
 * test gives its own to change the answer while agents run.
 */
@FunctionalInterface
public interface ControllerResolver {
    /**
     * Every address {@code name} stands for now, in any order, never empty.
     *
     * @throws UnknownHostException when the name stands for no address now or cannot be looked up (the agent then
     *     keeps the nodes it had for that name)
     */
    List<InetAddress> resolve(String name) throws UnknownHostException;
}
