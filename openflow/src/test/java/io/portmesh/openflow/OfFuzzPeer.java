package io.portmesh.openflow;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.projectfloodlight.openflow.exceptions.OFParseError;
import org.projectfloodlight.openflow.protocol.OFCapabilities;
import org.projectfloodlight.openflow.protocol.OFEchoRequest;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFMessageReader;
import org.projectfloodlight.openflow.protocol.OFStatsRequest;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.errormsg.OFBadRequestErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFHelloFailedErrorMsg;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.OFAuxId;

/**
 * One end of a fuzzed OpenFlow connection, on a blocking socket: plays the switch (to a controller) or the controller
 * (to an agent) through the HELLO exchange, then writes whatever bytes the test chooses and reads what comes back.
 * Every frame the other end sends must be a message Loxi parses (an OFPT_ERROR included); the errors are counted and
 * their xids kept, so a test can check that each message it knows to be bad was answered.
 *
 * <p>A batch ends with a marker (an ECHO_REQUEST, or a BARRIER_REQUEST for an end that answers barriers after all
 * earlier messages) whose reply proves the other end read everything before it; or the other end closes.
 */
public final class OfFuzzPeer implements AutoCloseable {
    /** How a batch ended. */
    public enum Verdict {
        /** The marker was answered: the connection is open and every message before it was read. */
        ANSWERED,
        /** The other end closed the connection (or reset it). */
        CLOSED
    }

    /** The request that ends a batch. */
    public enum Marker {
        ECHO,
        BARRIER
    }

    private static final OFFactory F = OFFactories.getFactory(OFVersion.OF_13);
    private static final OFMessageReader<OFMessage> READER = OFFactories.getGenericReader();

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final Set<Long> errorXids = new HashSet<>();
    private int badRequests;
    private int helloFailures;
    private int otherErrors;
    private long framesReceived;
    private int markers;
    private boolean writeFailed;
    private boolean closed;

    /** Wraps a connected socket (accepted by a fake controller, or connected by {@link #connect}). */
    public OfFuzzPeer(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 65536));
        this.out = new BufferedOutputStream(socket.getOutputStream(), 65536);
    }

    public static OfFuzzPeer connect(InetSocketAddress address) throws IOException {
        Socket s = new Socket();
        s.connect(address, 5000);
        return new OfFuzzPeer(s);
    }

    public int localPort() {
        return socket.getLocalPort();
    }

    /** As a controller facing a switch: HELLO both ways. */
    public void helloAsController(Duration timeout) throws IOException {
        write(SampleMessages.encode(F.buildHello().setXid(1).build()));
        flush();
        awaitType(OFType.HELLO, timeout);
    }

    /**
     * As a switch facing a controller: HELLO both ways, then the controller's switch phase answered (features, DESC
     * with {@code dpDesc}, an empty PORT_DESC), so that the controller reports the connection as connected.
     */
    public void helloAsSwitch(long dpid, String dpDesc, Duration timeout) throws IOException {
        write(SampleMessages.encode(F.buildHello().setXid(1).build()));
        flush();
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean desc = false;
        boolean ports = false;
        while (!desc || !ports) {
            OFMessage m = read(deadline);
            if (m == null) {
                throw new AssertionError("connection closed during the switch phase");
            }
            switch (m.getType()) {
                case FEATURES_REQUEST ->
                    write(SampleMessages.encode(F.buildFeaturesReply()
                            .setXid(m.getXid())
                            .setDatapathId(DatapathId.of(dpid))
                            .setNBuffers(0)
                            .setNTables((short) 2)
                            .setAuxiliaryId(OFAuxId.MAIN)
                            .setCapabilities(EnumSet.of(OFCapabilities.FLOW_STATS))
                            .build()));
                case STATS_REQUEST -> {
                    var type = ((OFStatsRequest<?>) m).getStatsType();
                    switch (type) {
                        case DESC -> {
                            write(SampleMessages.encode(SampleMessages.descReply(m.getXid(), dpDesc)));
                            desc = true;
                        }
                        case PORT_DESC -> {
                            write(SampleMessages.encode(F.buildPortDescStatsReply()
                                    .setXid(m.getXid())
                                    .setEntries(List.of())
                                    .build()));
                            ports = true;
                        }
                        default -> {}
                    }
                }
                default -> {}
            }
            flush();
        }
    }

    /** Queues bytes (written when the buffer fills or at the marker); a write to a closed connection is recorded. */
    public void send(byte[] bytes) {
        write(bytes);
    }

    /**
     * Ends a batch: sends the marker and reads until its reply ({@link Verdict#ANSWERED}) or until the other end
     * closes ({@link Verdict#CLOSED}); neither within {@code timeout} is an {@link AssertionError}.
     */
    public Verdict finish(Marker marker, Duration timeout) throws IOException {
        long xid = ((long) OfFuzzMessages.MARKER_XID_PREFIX << 16) | (markers++ & 0xffff);
        OFMessage request = marker == Marker.ECHO
                ? F.buildEchoRequest()
                        .setXid(xid)
                        .setData(new byte[] {'p', 'm'})
                        .build()
                : F.buildBarrierRequest().setXid(xid).build();
        write(SampleMessages.encode(request));
        flush();
        OFType replyType = marker == Marker.ECHO ? OFType.ECHO_REPLY : OFType.BARRIER_REPLY;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            OFMessage m = read(deadline);
            if (m == null) {
                return Verdict.CLOSED;
            }
            if (m.getType() == replyType && m.getXid() == xid) {
                return Verdict.ANSWERED;
            }
        }
    }

    /**
     * Ends a stream whose framing was broken: half-closes, and reads until the other end closes too (an end waiting
     * for the rest of a frame must give up when the stream ends).
     */
    public Verdict finishClosingOutput(Duration timeout) throws IOException {
        flush();
        if (!writeFailed && !closed) {
            try {
                socket.shutdownOutput();
            } catch (IOException e) {
                writeFailed = true;
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (read(deadline) != null) {
            // errors for earlier messages are counted as they are read
        }
        return Verdict.CLOSED;
    }

    /** Reads (and counts) until {@code total} frames have arrived since the connection opened. */
    public void readUntilFramesReceived(long total, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (framesReceived < total) {
            if (read(deadline) == null) {
                throw new AssertionError("connection closed after " + framesReceived + " of " + total + " frames");
            }
        }
    }

    /** One ECHO round trip; false if the connection ended first. */
    public boolean echoRoundTrip(Duration timeout) throws IOException {
        return finish(Marker.ECHO, timeout) == Verdict.ANSWERED;
    }

    public boolean answeredWithErrorFor(long xid) {
        return errorXids.contains(xid);
    }

    /** OFPT_ERROR BAD_REQUEST received. */
    public int badRequests() {
        return badRequests;
    }

    /** OFPT_ERROR HELLO_FAILED received. */
    public int helloFailures() {
        return helloFailures;
    }

    /** Any other OFPT_ERROR received (an agent's answers to requests it refuses, e.g. EPERM). */
    public int otherErrors() {
        return otherErrors;
    }

    public int errors() {
        return badRequests + helloFailures + otherErrors;
    }

    public long framesReceived() {
        return framesReceived;
    }

    /** Forgets the errors of the batch before (counts and xids). */
    public void resetErrors() {
        errorXids.clear();
        badRequests = 0;
        helloFailures = 0;
        otherErrors = 0;
    }

    private void write(byte[] bytes) {
        if (writeFailed || closed) {
            return;
        }
        try {
            out.write(bytes);
        } catch (IOException e) {
            writeFailed = true; // the other end closed; what it sent before is still read
        }
    }

    /** Writes what {@link #send} queued. */
    public void flush() {
        if (writeFailed || closed) {
            return;
        }
        try {
            out.flush();
        } catch (IOException e) {
            writeFailed = true;
        }
    }

    private void awaitType(OFType type, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            OFMessage m = read(deadline);
            if (m == null) {
                throw new AssertionError("connection closed before " + type);
            }
            if (m.getType() == type) {
                return;
            }
        }
    }

    /**
     * The next message, or null once the other end closed or reset the connection. Echo requests from the other end's
     * keepalive are answered here; errors are counted.
     */
    private OFMessage read(long deadline) throws IOException {
        if (closed) {
            return null;
        }
        try {
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
            byte[] header = new byte[8];
            in.readFully(header);
            int length = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
            if (length < 8) {
                throw new AssertionError("the other end sent a frame of length " + length);
            }
            byte[] frame = new byte[length];
            System.arraycopy(header, 0, frame, 0, 8);
            in.readFully(frame, 8, length - 8);
            framesReceived++;
            OFMessage m = parse(frame);
            count(m);
            return m;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the other end neither answered nor closed in time", e);
        } catch (EOFException e) {
            closed = true;
            return null;
        } catch (IOException e) {
            if (socket.isClosed()) {
                throw e;
            }
            closed = true; // reset
            return null;
        }
    }

    private void count(OFMessage m) {
        if (m instanceof OFErrorMsg error) {
            errorXids.add(error.getXid());
            if (error instanceof OFBadRequestErrorMsg) {
                badRequests++;
            } else if (error instanceof OFHelloFailedErrorMsg) {
                helloFailures++;
            } else {
                otherErrors++;
            }
        } else if (m.getType() == OFType.ECHO_REQUEST) {
            write(SampleMessages.encode(F.buildEchoReply()
                    .setXid(m.getXid())
                    .setData(((OFEchoRequest) m).getData())
                    .build()));
            flush();
        }
    }

    /** Whatever the other end sends must be a message: a garbled answer is a defect of the end under test. */
    private static OFMessage parse(byte[] frame) {
        try {
            OFMessage m = READER.readFrom(Unpooled.wrappedBuffer(frame));
            if (m == null) {
                throw new AssertionError("the other end sent an incomplete message " + hex(frame));
            }
            return m;
        } catch (OFParseError e) {
            throw new AssertionError("the other end sent a message Loxi cannot parse " + hex(frame), e);
        }
    }

    private static String hex(byte[] frame) {
        return ByteBufUtil.hexDump(frame, 0, Math.min(frame.length, 64));
    }

    @Override
    public void close() throws IOException {
        closed = true;
        socket.close();
    }
}
