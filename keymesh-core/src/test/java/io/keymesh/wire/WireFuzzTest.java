package io.keymesh.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Fuzzes every mesh frame decoder with what a peer can put in a payload. The input is a payload:
 * {@link MeshFrame#forEach} walks it, and each frame's body goes to every decoder, as does the whole
 * input read as one body. Invariant: nothing throws; a frame that decodes and whose codec has a
 * writer is written again, and the written frame walks as one frame of its type that decodes to the
 * same values. Regression inputs are in {@code WireFuzzTestInputs/payload/}.
 */
class WireFuzzTest {
    private static final int[] TYPES = {AckFrame.TYPE, AckFrame.TYPE_ECN, MeshFrame.STREAM, MeshFrame.STREAM_FIN,
        MeshFrame.PROBE, MeshFrame.PROBE_ACK};

    private final AckFrame ack = new AckFrame();
    private final AckFrame ack2 = new AckFrame();
    private final StreamFrame stream = new StreamFrame();
    private final StreamFrame stream2 = new StreamFrame();
    private final ResetStreamFrame reset = new ResetStreamFrame();
    private final ResetStreamFrame reset2 = new ResetStreamFrame();
    private final MaxStreamDataFrame maxStream = new MaxStreamDataFrame();
    private final MaxStreamDataFrame maxStream2 = new MaxStreamDataFrame();
    private final ConnectionCloseFrame close = new ConnectionCloseFrame();
    private final ConnectionCloseFrame close2 = new ConnectionCloseFrame();
    private final PacketHeaderFrame header = new PacketHeaderFrame();
    private final PacketHeaderFrame header2 = new PacketHeaderFrame();
    private final RelayOpenFrame open = new RelayOpenFrame();
    private final RelayOpenFrame open2 = new RelayOpenFrame();
    private final RelayOpenedFrame opened = new RelayOpenedFrame();
    private final RelayOpenedFrame opened2 = new RelayOpenedFrame();
    private final CircuitReasonFrame reason = new CircuitReasonFrame();
    private final CircuitReasonFrame reason2 = new CircuitReasonFrame();
    private final RelayDataFrame data = new RelayDataFrame();
    private final RelayDataFrame data2 = new RelayDataFrame();
    private final ProbeFrame probe = new ProbeFrame();
    private final ProbeFrame probe2 = new ProbeFrame();
    private final SeekFrame seek = new SeekFrame();
    private final SeekFrame seek2 = new SeekFrame();
    private final ReachFrame reach = new ReachFrame();
    private final ReachFrame reach2 = new ReachFrame();
    private final CandidatesFrame candidates = new CandidatesFrame();
    private final CandidatesFrame candidates2 = new CandidatesFrame();
    private final ObservedAddressFrame observed = new ObservedAddressFrame();
    private final ObservedAddressFrame observed2 = new ObservedAddressFrame();

    @FuzzTest
    void payload(byte[] input) {
        MeshFrame.forEach(input, 0, input.length, this::frame);
        for (int type : TYPES) {
            decodeAll(type, input, 0, input.length);
        }
    }

    private void frame(int type, byte[] b, int off, int len) {
        decodeAll(type, b, off, len);
    }

    /** Every decoder on {@code b[off..off+len)}; those given a type get {@code type}. */
    private void decodeAll(int type, byte[] b, int off, int len) {
        if (ack.decode(type, b, off, len)) {
            byte[] w = new byte[ack.frameLength()];
            int n = ack.write(w, 0, w.length);
            assertEquals(w.length, n, "an ACK is written whole");
            int written = ack.hasEcnCounts() ? AckFrame.TYPE_ECN : AckFrame.TYPE; // the type it was read as
            Body body = only(w, written);
            assertTrue(ack2.decode(written, w, body.off, body.len));
            assertEquals(ack.ect0Count(), ack2.ect0Count());
            assertEquals(ack.ect1Count(), ack2.ect1Count());
            assertEquals(ack.ecnCeCount(), ack2.ecnCeCount());
            assertEquals(ack.rangeCount(), ack2.rangeCount());
            for (int i = 0; i < ack.rangeCount(); i++) {
                assertEquals(ack.smallest(i), ack2.smallest(i));
                assertEquals(ack.largest(i), ack2.largest(i));
            }
            assertEquals(ack.ackDelayField(), ack2.ackDelayField());
        }
        if (stream.decode(type, b, off, len)) {
            byte[] w = new byte[StreamFrame.frameLength(stream.channelId(), stream.offset(), stream.dataLength())];
            StreamFrame.write(w, 0, stream.channelId(), stream.offset(), stream.fin(), b, stream.dataOffset(),
                    stream.dataLength());
            Body body = only(w, stream.fin() ? MeshFrame.STREAM_FIN : MeshFrame.STREAM);
            assertTrue(stream2.decode(stream.fin() ? MeshFrame.STREAM_FIN : MeshFrame.STREAM, w, body.off, body.len));
            assertEquals(stream.channelId(), stream2.channelId());
            assertEquals(stream.offset(), stream2.offset());
            assertEquals(stream.fin(), stream2.fin());
            assertArrayEquals(Arrays.copyOfRange(b, stream.dataOffset(), stream.dataOffset() + stream.dataLength()),
                    Arrays.copyOfRange(w, stream2.dataOffset(), stream2.dataOffset() + stream2.dataLength()));
        }
        if (reset.decode(b, off, len)) {
            byte[] w = new byte[ResetStreamFrame.frameLength(reset.channelId(), reset.errorCode(), reset.finalSize())];
            ResetStreamFrame.write(w, 0, reset.channelId(), reset.errorCode(), reset.finalSize());
            Body body = only(w, MeshFrame.RESET_STREAM);
            assertTrue(reset2.decode(w, body.off, body.len));
            assertEquals(reset.channelId(), reset2.channelId());
            assertEquals(reset.errorCode(), reset2.errorCode());
            assertEquals(reset.finalSize(), reset2.finalSize());
        }
        long maximum = MaxDataFrame.read(b, off, len);
        if (maximum >= 0) {
            byte[] w = new byte[MaxDataFrame.frameLength(maximum)];
            MaxDataFrame.write(w, 0, maximum);
            Body body = only(w, MeshFrame.MAX_DATA);
            assertEquals(maximum, MaxDataFrame.read(w, body.off, body.len));
        }
        long streams = MaxStreamsFrame.read(b, off, len);
        if (streams >= 0) {
            byte[] w = new byte[MaxStreamsFrame.frameLength(streams)];
            MaxStreamsFrame.write(w, 0, streams);
            Body body = only(w, MeshFrame.MAX_STREAMS);
            assertEquals(streams, MaxStreamsFrame.read(w, body.off, body.len));
        }
        if (maxStream.decode(b, off, len)) {
            byte[] w = new byte[MaxStreamDataFrame.frameLength(maxStream.channelId(), maxStream.maximum())];
            MaxStreamDataFrame.write(w, 0, maxStream.channelId(), maxStream.maximum());
            Body body = only(w, MeshFrame.MAX_STREAM_DATA);
            assertTrue(maxStream2.decode(w, body.off, body.len));
            assertEquals(maxStream.channelId(), maxStream2.channelId());
            assertEquals(maxStream.maximum(), maxStream2.maximum());
        }
        if (close.decode(b, off, len)) {
            byte[] w = new byte[ConnectionCloseFrame.frameLength(close.errorCode(), close.reason())];
            ConnectionCloseFrame.write(w, 0, close.errorCode(), close.reason());
            Body body = only(w, MeshFrame.CONNECTION_CLOSE);
            assertTrue(close2.decode(w, body.off, body.len));
            assertEquals(close.errorCode(), close2.errorCode());
            if (close.reason().getBytes(StandardCharsets.UTF_8).length <= ConnectionCloseFrame.MAX_REASON) {
                assertEquals(close.reason(), close2.reason()); // longer reasons are cut when written
            }
        }
        if (header.decode(b, off, len)) {
            byte[] w = new byte[PacketHeaderFrame.frameLength(header.packetNumber())];
            PacketHeaderFrame.write(w, 0, header.sourceId(), header.destinationId(), header.packetNumber());
            Body body = only(w, MeshFrame.PACKET);
            assertTrue(header2.decode(w, body.off, body.len));
            assertEquals(header.sourceId(), header2.sourceId());
            assertEquals(header.destinationId(), header2.destinationId());
            assertEquals(header.packetNumber(), header2.packetNumber());
        }
        if (open.decode(b, off, len)) {
            byte[] w = new byte[RelayOpenFrame.frameLength(open.circuit(), open.hops())];
            RelayOpenFrame.write(w, 0, open.circuit(), open.route(), 0, open.hops());
            Body body = only(w, MeshFrame.RELAY_OPEN);
            assertTrue(open2.decode(w, body.off, body.len));
            assertEquals(open.circuit(), open2.circuit());
            assertArrayEquals(open.route(), open2.route());
            assertArrayEquals(open.hop(0), open2.hop(0));
            assertArrayEquals(open.target(), open2.target());
        }
        if (opened.decode(b, off, len)) {
            byte[] w = new byte[RelayOpenedFrame.frameLength(opened.circuit(), opened.maxMessage())];
            RelayOpenedFrame.write(w, 0, opened.circuit(), opened.maxMessage());
            Body body = only(w, MeshFrame.RELAY_OPENED);
            assertTrue(opened2.decode(w, body.off, body.len));
            assertEquals(opened.circuit(), opened2.circuit());
            assertEquals(opened.maxMessage(), opened2.maxMessage());
        }
        if (reason.decode(b, off, len)) {
            for (int t : new int[] {MeshFrame.RELAY_REFUSED, MeshFrame.RELAY_CLOSE}) {
                byte[] w = new byte[CircuitReasonFrame.frameLength(reason.circuit(), reason.reason())];
                CircuitReasonFrame.write(w, 0, t, reason.circuit(), reason.reason());
                Body body = only(w, t);
                assertTrue(reason2.decode(w, body.off, body.len));
                assertEquals(reason.circuit(), reason2.circuit());
                assertEquals(reason.reason(), reason2.reason());
            }
        }
        if (data.decode(b, off, len)) {
            byte[] w = new byte[RelayDataFrame.frameLength(data.circuit(), data.innerLength())];
            RelayDataFrame.write(w, 0, data.circuit(), b, data.innerOffset(), data.innerLength());
            Body body = only(w, MeshFrame.RELAY_DATA);
            assertTrue(data2.decode(w, body.off, body.len));
            assertEquals(data.circuit(), data2.circuit());
            assertArrayEquals(Arrays.copyOfRange(b, data.innerOffset(), data.innerOffset() + data.innerLength()),
                    Arrays.copyOfRange(w, data2.innerOffset(), data2.innerOffset() + data2.innerLength()));
        }
        if (probe.decode(type, b, off, len)) {
            byte[] w;
            if (probe.ack()) {
                w = new byte[ProbeFrame.ackFrameLength(probe.observed())];
                ProbeFrame.writeAck(w, 0, probe.probeId(), probe.observed());
            } else {
                w = new byte[ProbeFrame.probeFrameLength()];
                ProbeFrame.writeProbe(w, 0, probe.probeId());
            }
            Body body = only(w, probe.ack() ? MeshFrame.PROBE_ACK : MeshFrame.PROBE);
            assertTrue(probe2.decode(probe.ack() ? MeshFrame.PROBE_ACK : MeshFrame.PROBE, w, body.off, body.len));
            assertEquals(probe.ack(), probe2.ack());
            assertEquals(probe.probeId(), probe2.probeId());
            assertEquals(probe.observed(), probe2.observed()); // an IPv4-mapped address comes back as IPv4
        }
        if (reach.decode(b, off, len)) {
            byte[] w = new byte[ReachFrame.frameLength(reach.bitsLength())];
            ReachFrame.write(w, 0, reach.hashes(), b, reach.bitsOffset(), reach.bitsLength());
            Body body = only(w, MeshFrame.REACH);
            assertTrue(reach2.decode(w, body.off, body.len));
            assertEquals(reach.hashes(), reach2.hashes());
            assertArrayEquals(Arrays.copyOfRange(b, off, off + len), Arrays.copyOfRange(w, body.off, body.off + body.len),
                    "a REACH's body has one encoding");
        }
        if (seek.decode(b, off, len)) {
            assertTrue(seek.passedCount() + seek.hopsLeft() <= SeekFrame.MAX_HOPS + SeekFrame.MAX_PASSED);
            byte[] w = new byte[SeekFrame.frameLength(seek.passedCount())];
            int n = SeekFrame.write(w, 0, seek.seekId(), seek.hopsLeft(), seek.origin(), seek.target(), seek.passedKeys(), 0,
                    seek.passedCount(), seek.initiation(), 0);
            assertEquals(w.length, n, "a SEEK is written whole");
            Body body = only(w, MeshFrame.SEEK);
            assertTrue(seek2.decode(w, body.off, body.len));
            assertEquals(seek.seekId(), seek2.seekId());
            assertEquals(seek.hopsLeft(), seek2.hopsLeft());
            assertArrayEquals(seek.origin(), seek2.origin());
            assertArrayEquals(seek.target(), seek2.target());
            assertEquals(seek.passedCount(), seek2.passedCount());
            for (int i = 0; i < seek.passedCount(); i++) {
                assertArrayEquals(seek.passed(i), seek2.passed(i));
            }
            assertArrayEquals(seek.initiation(), seek2.initiation());
            assertArrayEquals(Arrays.copyOfRange(b, off, off + len), Arrays.copyOfRange(w, body.off, body.off + body.len),
                    "a SEEK's body has one encoding");
        }
        if (candidates.decode(b, off, len)) {
            java.util.List<CandidatesFrame.Candidate> list = new java.util.ArrayList<>();
            for (int i = 0; i < candidates.count(); i++) {
                list.add(new CandidatesFrame.Candidate(candidates.kind(i), candidates.address(i)));
            }
            byte[] w = new byte[CandidatesFrame.frameLength(candidates.round(), list)];
            CandidatesFrame.write(w, 0, candidates.round(), candidates.flags(), list);
            Body body = only(w, MeshFrame.CANDIDATES);
            assertTrue(candidates2.decode(w, body.off, body.len));
            assertEquals(candidates.round(), candidates2.round());
            assertEquals(candidates.flags(), candidates2.flags());
            assertEquals(candidates.count(), candidates2.count());
            for (int i = 0; i < candidates.count(); i++) {
                assertEquals(candidates.kind(i), candidates2.kind(i));
                assertEquals(candidates.address(i), candidates2.address(i));
            }
        }
        if (observed.decode(b, off, len)) {
            byte[] w = new byte[ObservedAddressFrame.frameLength(observed.address())];
            ObservedAddressFrame.write(w, 0, observed.address());
            Body body = only(w, MeshFrame.OBSERVED_ADDRESS);
            assertTrue(observed2.decode(w, body.off, body.len));
            assertEquals(observed.address(), observed2.address());
        }
    }

    private record Body(int off, int len) {}

    /** The body of the one frame in {@code w}, which must be of {@code type} and fill it. */
    private static Body only(byte[] w, int type) {
        int[] seen = new int[3];
        seen[0] = -1;
        boolean whole = MeshFrame.forEach(w, 0, w.length, (t, b, off, len) -> {
            assertEquals(-1, seen[0], "one frame written");
            seen[0] = t;
            seen[1] = off;
            seen[2] = len;
        });
        assertTrue(whole, "the written frame is well formed");
        assertEquals(type, seen[0], "the written frame's type");
        assertEquals(w.length, seen[1] + seen[2], "the written frame fills its length");
        return new Body(seen[1], seen[2]);
    }
}
