package io.portmesh.agent.control;

/**
 * A MASTER role the agent granted: to the controller connection with this remote address ({@code host:port}), with
 * this generation id, at this time ({@link System#nanoTime()}). How a test sees from the switch's side which controller
 * node masters it and whether a newer election reached it.
 */
public record MasterGrant(String controller, long generation, long atNanos) {}
