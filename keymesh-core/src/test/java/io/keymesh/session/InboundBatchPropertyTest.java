package io.keymesh.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.Aead;
import io.keymesh.wire.TransportData;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A received batch taken in stages ({@link SessionEngine#prepare}, openings in any order on any
 * threads, {@link SessionEngine#receive(long, InboundBatch, int)} in order) leaves the engine exactly
 * as the same datagrams received one by one: the same payloads delivered in the same order, the same
 * drops by reason, the same packets sent, the same replay windows, keypairs and counters. Random
 * batches from a seeded generator: transport packets of up to three keypairs (rekeys between and
 * within batches, so a keypair found when preparing may be retired before its packets' turn),
 * reordered, replayed, with bad tags, unknown indices, truncated or malformed datagrams and bogus
 * handshake messages among them. A failure names its seed.
 */
class InboundBatchPropertyTest {
    private static final int SEEDS = 300;

    /** One datagram A sent, and when. */
    private record Sent(byte[] bytes, long at) {}

    @Test
    void batchedReceiveEqualsReceivingOneByOne() throws Exception {
        long openings = 0;
        long retiredWhilePrepared = 0;
        long delivered = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            try {
                long[] seen = runSeed(seed);
                openings += seen[0];
                retiredWhilePrepared += seen[1];
                delivered += seen[2];
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
            }
        }
        assertTrue(delivered > SEEDS * 20L, "payloads were delivered: " + delivered);
        assertTrue(openings > SEEDS * 20L, "the batches held packets to open: " + openings);
        assertTrue(retiredWhilePrepared > 0, "some packet's keypair was retired between preparing and its turn");
    }

    /** Returns {packets to open, packets whose prepared keypair was retired at their turn, payloads delivered}. */
    private static long[] runSeed(long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L);
        long pairSeed = r.nextLong();
        EnginePair source = new EnginePair(pairSeed);
        EnginePair oneByOne = new EnginePair(pairSeed);
        EnginePair batched = new EnginePair(pairSeed);
        source.handshake();
        oneByOne.handshake();
        batched.handshake();
        Aead aead = r.nextBoolean() ? Aead.jdk() : Aead.portable();
        source.setTransportAead(aead);
        oneByOne.setTransportAead(aead);
        batched.setTransportAead(aead);
        for (EnginePair p : List.of(source, oneByOne, batched)) {
            p.a.transmitted.clear();
            p.b.transmitted.clear();
            p.b.delivered.clear();
        }

        List<Sent> sent = generate(source, r);
        List<Sent> datagrams = mutate(sent, r);

        long opened = 0;
        long retired = 0;
        int i = 0;
        while (i < datagrams.size()) {
            int n = Math.min(datagrams.size() - i, 1 + r.nextInt(40));
            List<Sent> chunk = datagrams.subList(i, i + n);
            long now = chunk.get(n - 1).at() + r.nextLong(1_000_000);
            now = Math.max(now, Math.max(oneByOne.now, batched.now));
            oneByOne.now = now;
            batched.now = now;
            for (Sent d : chunk) {
                byte[] copy = d.bytes().clone();
                oneByOne.b.engine.receive(now, copy, 0, copy.length, EnginePair.ADDR_A);
            }
            long[] counts = receiveBatched(batched.b.engine, chunk, now, r);
            opened += counts[0];
            retired += counts[1];
            oneByOne.inFlight.clear();
            batched.inFlight.clear();
            i += n;
        }

        EnginePair.Side seq = oneByOne.b;
        EnginePair.Side bat = batched.b;
        assertEquals(seq.delivered.size(), bat.delivered.size(), "payloads delivered");
        for (int k = 0; k < seq.delivered.size(); k++) {
            assertArrayEquals(seq.delivered.get(k), bat.delivered.get(k), "payload " + k);
        }
        for (DropReason reason : DropReason.values()) {
            assertEquals(seq.engine.dropped(reason), bat.engine.dropped(reason), "drops " + reason);
        }
        assertEquals(seq.transmitted.size(), bat.transmitted.size(), "packets B sent");
        for (int k = 0; k < seq.transmitted.size(); k++) {
            assertArrayEquals(seq.transmitted.get(k), bat.transmitted.get(k), "packet B sent " + k);
        }
        assertEquals(seq.handshakes, bat.handshakes, "handshakes");
        assertEquals(seq.peer.rxPackets, bat.peer.rxPackets, "rxPackets");
        assertEquals(seq.peer.rxBytes, bat.peer.rxBytes, "rxBytes");
        assertSameKeypair(seq.peer.previous, bat.peer.previous, "previous");
        assertSameKeypair(seq.peer.current, bat.peer.current, "current");
        assertSameKeypair(seq.peer.next, bat.peer.next, "next");
        assertEquals(seq.engine.indicesInUse(), bat.engine.indicesInUse(), "indices in use");
        return new long[] {opened, retired, seq.delivered.size()};
    }

    /**
     * Takes {@code chunk} as one batch, its datagrams side by side in one array: prepared, opened in a
     * random order (on two threads for some batches), received in order.
     */
    private static long[] receiveBatched(SessionEngine engine, List<Sent> chunk, long now, SplittableRandom r)
            throws InterruptedException {
        int total = 0;
        for (Sent d : chunk) {
            total += d.bytes().length;
        }
        byte[] buf = new byte[total + 7];
        int off = r.nextInt(8);
        InboundBatch batch = new InboundBatch(r.nextInt(1, 8)); // small, so that it grows
        for (Sent d : chunk) {
            System.arraycopy(d.bytes(), 0, buf, off, d.bytes().length);
            batch.add(buf, off, d.bytes().length, EnginePair.ADDR_A);
            off += d.bytes().length;
        }
        engine.prepare(now, batch);
        int openings = batch.openings();
        if (r.nextInt(3) == 0) {
            AtomicInteger next = new AtomicInteger();
            Runnable opener = () -> {
                Aead aead = Aead.jdk();
                for (int j; (j = next.getAndIncrement()) < openings; ) {
                    batch.open(j, aead);
                }
            };
            Thread t = new Thread(opener);
            t.start();
            opener.run();
            t.join();
        } else {
            int[] order = new int[openings];
            for (int j = 0; j < openings; j++) {
                order[j] = j;
            }
            for (int j = openings - 1; j > 0; j--) {
                int k = r.nextInt(j + 1);
                int tmp = order[j];
                order[j] = order[k];
                order[k] = tmp;
            }
            // Now and then leave one unopened: the engine opens it in its turn.
            int skip = openings > 0 && r.nextInt(4) == 0 ? r.nextInt(openings) : -1;
            Aead aead = Aead.portable();
            for (int j : order) {
                if (j != skip) {
                    batch.open(j, aead);
                }
            }
        }
        long retired = 0;
        for (int i = 0; i < batch.size(); i++) {
            Keypair prepared = batch.keypair(i);
            if (prepared != null && prepared.isRetired()) {
                retired++;
            }
            engine.receive(now, batch, i);
        }
        batch.clear();
        return new long[] {openings, retired};
    }

    /**
     * A sends transport packets of random sizes (some empty: keepalives) on the source pair, with
     * rekeys now and then (an initiation, B's response, A's first packets on the new keypair).
     */
    private static List<Sent> generate(EnginePair p, SplittableRandom r) {
        List<Sent> out = new ArrayList<>();
        int segments = 1 + r.nextInt(5);
        for (int s = 0; s < segments; s++) {
            int packets = r.nextInt(60);
            for (int k = 0; k < packets; k++) {
                int len = r.nextInt(8) == 0 ? 0 : r.nextInt(r.nextBoolean() ? 200 : 1400);
                byte[] payload = new byte[len];
                r.nextBytes(payload);
                if (len > 0) {
                    payload[0] = 0x10; // not an IP version nibble: mesh frames, delivered whole
                }
                if (len == 0) {
                    p.a.engine.sendKeepalive(p.now, p.a.peer);
                } else {
                    p.a.send(payload);
                }
                p.now += r.nextLong(50_000);
            }
            if (r.nextInt(3) > 0) {
                p.now += ProtocolConstants.REKEY_TIMEOUT + ProtocolConstants.SECOND;
                p.handshake(); // initiation, response, A's keepalive on the new keypair
            }
            p.inFlight.clear();
            for (byte[] packet : p.a.transmitted) {
                out.add(new Sent(packet, p.now));
            }
            p.a.transmitted.clear();
            p.b.transmitted.clear();
        }
        return out;
    }

    /** Reorders, replays and damages some datagrams, and slips bogus ones in. */
    private static List<Sent> mutate(List<Sent> sent, SplittableRandom r) {
        List<Sent> out = new ArrayList<>();
        for (Sent d : sent) {
            byte[] b = d.bytes().clone();
            int roll = r.nextInt(100);
            boolean transport = b.length >= TransportData.MIN_LENGTH && b[0] == 4;
            if (transport && roll < 4) {
                b[TransportData.HEADER_LENGTH + r.nextInt(b.length - TransportData.HEADER_LENGTH)] ^= (byte) (1 << r.nextInt(8));
            } else if (transport && roll < 7) {
                io.keymesh.wire.Bytes.putIntLE(b, TransportData.RECEIVER, r.nextInt());
            } else if (transport && roll < 9) {
                b = java.util.Arrays.copyOf(b, r.nextInt(b.length));
            } else if (roll < 11) {
                b = new byte[r.nextInt(4, 200)];
                r.nextBytes(b);
                b[0] = (byte) (1 + r.nextInt(4));
                b[1] = b[2] = b[3] = 0;
            }
            out.add(new Sent(b, d.at()));
            if (r.nextInt(100) < 5 && !out.isEmpty()) {
                out.add(out.get(r.nextInt(out.size()))); // a replay of an earlier one
            }
        }
        for (int k = 0; k + 1 < out.size(); k++) {
            if (r.nextInt(100) < 10) {
                Sent t = out.get(k);
                out.set(k, out.get(k + 1));
                out.set(k + 1, t);
            }
        }
        return out;
    }

    private static void assertSameKeypair(Keypair expected, Keypair actual, String which) throws Exception {
        if (expected == null || actual == null) {
            assertEquals(expected == null, actual == null, which + " keypair present");
            return;
        }
        assertEquals(expected.localIndex, actual.localIndex, which + " local index");
        assertArrayEquals(expected.receiveKey, actual.receiveKey, which + " receive key");
        assertEquals(expected.sendCounter(), actual.sendCounter(), which + " send counter");
        Field ring = ReplayWindow.class.getDeclaredField("ring");
        Field last = ReplayWindow.class.getDeclaredField("last");
        ring.setAccessible(true);
        last.setAccessible(true);
        assertEquals(last.getLong(expected.replay), last.getLong(actual.replay), which + " replay window: highest counter");
        assertArrayEquals((long[]) ring.get(expected.replay), (long[]) ring.get(actual.replay), which + " replay window: bitmap");
    }
}
