package io.keymesh.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * Fuzzes {@link SessionEngine#receive} of an established session (an {@link EnginePair} after one
 * exchange of data) with arbitrary datagrams, each given to B from an unknown address and to A from
 * B's own address. Invariant, as in {@link HostilePacketProperties}: nothing throws, exactly one drop
 * is counted per datagram, nothing is delivered, nothing is transmitted, no handshake completes, the
 * peer's endpoint does not move and the bytes around the datagram in the caller's buffer are
 * untouched. The pair is made once per run: garbage changes none of its state. Regression inputs are
 * in {@code SessionEngineFuzzTestInputs/datagram/}.
 */
class SessionEngineFuzzTest {
    private static final UdpEndpoint ATTACKER = UdpEndpoint.of(new InetSocketAddress("192.0.2.66", 4444));
    private static final int AROUND = 7;
    private static EnginePair pair;

    private static EnginePair pair() {
        if (pair == null) {
            EnginePair w = new EnginePair(42);
            w.a.engine.setUnderLoadThreshold(Integer.MAX_VALUE); // a cookie reply would be an answer by design
            w.b.engine.setUnderLoadThreshold(Integer.MAX_VALUE);
            w.a.send(new byte[] {0x01, 'h', 'i'});
            w.flush();
            w.b.send(new byte[] {0x01, 'h', 'o'});
            w.flush();
            assertEquals(1, w.a.delivered.size());
            assertEquals(1, w.b.delivered.size());
            pair = w;
        }
        return pair;
    }

    @FuzzTest
    void datagram(byte[] input) {
        EnginePair w = pair();
        feed(w, w.b, input, ATTACKER);
        feed(w, w.a, input, EnginePair.ADDR_B);
    }

    private static void feed(EnginePair w, EnginePair.Side v, byte[] d, Endpoint from) {
        byte[] buf = new byte[AROUND + d.length + AROUND];
        Arrays.fill(buf, (byte) 0x5a);
        System.arraycopy(d, 0, buf, AROUND, d.length);
        long drops = v.engine.droppedTotal();
        int transmitted = v.transmitted.size();
        int delivered = v.delivered.size();
        int handshakes = v.handshakes;
        Endpoint endpoint = v.peer.endpoint();

        v.engine.receive(w.now, buf, AROUND, d.length, from);

        assertEquals(drops + 1, v.engine.droppedTotal(), "exactly one drop per datagram");
        assertEquals(transmitted, v.transmitted.size(), "silence on the wire");
        assertEquals(0, w.inFlight.size());
        assertEquals(delivered, v.delivered.size(), "nothing delivered");
        assertEquals(handshakes, v.handshakes);
        assertEquals(endpoint, v.peer.endpoint(), "no roaming");
        byte[] filler = new byte[AROUND];
        Arrays.fill(filler, (byte) 0x5a);
        assertArrayEquals(filler, Arrays.copyOf(buf, AROUND), "bytes before the datagram");
        assertArrayEquals(filler, Arrays.copyOfRange(buf, AROUND + d.length, buf.length), "bytes after the datagram");
    }
}
