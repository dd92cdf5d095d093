package io.portmesh.openflow;

import io.netty.buffer.ByteBuf;

/**
 * Decodes chosen messages straight from their wire bytes, skipping Loxi: for an endpoint whose hot message type
 * (an agent's flow-mods) costs more to parse into Loxi objects and convert than to read once. Called on the event
 * loop for every OpenFlow 1.3 frame after version negotiation; whatever it returns reaches
 * {@link OfMessageListener#onWireMessage}, in order with the Loxi-parsed messages. Returning null hands the frame
 * to Loxi as usual, which is also how a decoder declines anything it does not fully understand, so every error
 * answer stays Loxi's and the pipeline's.
 */
@FunctionalInterface
public interface OfWireDecoder {
    /**
     * @param frame exactly one message, reader index at its first byte; read it with absolute gets (the reader
     *     index must not move) and do not retain it
     * @return the decoded message, or null to let Loxi parse the frame; a decoder that throws counts as null
     */
    Object decode(ByteBuf frame);
}
