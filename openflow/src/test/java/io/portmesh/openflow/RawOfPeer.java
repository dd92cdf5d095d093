package io.portmesh.openflow;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.projectfloodlight.openflow.protocol.OFEchoRequest;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFHello;
import org.projectfloodlight.openflow.protocol.OFMessage;

/** A blocking socket speaking raw OpenFlow bytes: the misbehaving or minimal peer of a test. */
final class RawOfPeer implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawOfPeer(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    void send(OFMessage message) throws IOException {
        send(SampleMessages.encode(message));
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next raw frame (header included). */
    byte[] readFrame() throws IOException {
        byte[] header = new byte[8];
        in.readFully(header);
        int length = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
        byte[] frame = new byte[length];
        System.arraycopy(header, 0, frame, 0, 8);
        in.readFully(frame, 8, length - 8);
        return frame;
    }

    OFMessage read() throws Exception {
        ByteBuf buf = Unpooled.wrappedBuffer(readFrame());
        return OFFactories.getGenericReader().readFrom(buf);
    }

    /** Reads messages until one of {@code type} arrives (bounded), answering echo requests on the way. */
    <T extends OFMessage> T readUntil(Class<T> type) throws Exception {
        for (int i = 0; i < 100; i++) {
            OFMessage m = read();
            if (type.isInstance(m)) {
                return type.cast(m);
            }
            if (m instanceof OFEchoRequest echo) {
                send(FakeSwitch.F
                        .buildEchoReply()
                        .setXid(echo.getXid())
                        .setData(echo.getData())
                        .build());
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in 100 messages");
    }

    /** Expects our HELLO, answers with a plain 1.3 HELLO. */
    OFHello helloExchange() throws Exception {
        OFHello theirs = (OFHello) read();
        send(FakeSwitch.F.buildHello().build());
        return theirs;
    }

    /** True if the peer closes the connection within the socket timeout (any input before that is skipped). */
    boolean closedByPeer() throws IOException {
        try {
            for (int i = 0; i < 1_000_000; i++) {
                if (in.read() < 0) {
                    return true;
                }
            }
            return false;
        } catch (EOFException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // connection reset
        }
    }

    void setTimeoutMillis(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
