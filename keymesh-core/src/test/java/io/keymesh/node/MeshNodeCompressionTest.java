package io.keymesh.node;

import static io.keymesh.testing.Loopback.await;
import static io.keymesh.testing.Loopback.get;
import static io.keymesh.testing.TestKeys.newKey;
import static io.keymesh.testing.TestKeys.newNetworkKey;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdCompressCtx;
import io.keymesh.compress.CodedMessage;
import io.keymesh.compress.Compression;
import io.keymesh.compress.CompressionConfig;
import io.keymesh.compress.CompressionStats;
import io.keymesh.compress.DictionarySource;
import io.keymesh.compress.DictionaryStore;
import io.keymesh.compress.TestDictionaries;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.testing.JsonRecords;
import io.keymesh.testing.Loopback;
import io.keymesh.testing.RecordingListener;
import io.keymesh.testing.RecordingListener.Message;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Channel compression between two {@link MeshNode}s on 127.0.0.1: each combination of what the
 * sender asks for and what the receiver holds — none, zstd, a dictionary both hold, a peer without
 * it, a peer with another dictionary under the same id, a peer that does not compress — delivers
 * every message exactly once, in order, byte for byte; what a hostile peer sends (corrupt frames,
 * bombs, unknown dictionaries) is dropped and counted while the messages around it arrive; a
 * retrained dictionary loaded at run time is used by new channels while old ones keep theirs.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MeshNodeCompressionTest {
    private static byte[] dictionary;
    private static byte[] otherDictionary;
    private static byte[] sameIdOtherContent;

    @AutoClose
    private final Loopback net = new Loopback();
    private final PresharedKey network = newNetworkKey();

    @BeforeAll
    static void train() {
        dictionary = TestDictionaries.trained(1);
        otherDictionary = TestDictionaries.trained(2);
        sameIdOtherContent = TestDictionaries.withId(otherDictionary, TestDictionaries.id(dictionary));
    }

    private record Node(PrivateKey key, MeshNode mesh, RecordingListener events, boolean offersZstd) {
        io.keymesh.crypto.PublicKey publicKey() {
            return key.publicKey();
        }
    }

    private Node start(CompressionConfig compression) {
        PrivateKey key = newKey();
        RecordingListener events = new RecordingListener();
        NodeConfig config = NodeConfig.of(key, new InetSocketAddress(Loopback.LOCALHOST, 0), network).withCompression(compression);
        return new Node(key, net.track(MeshNode.start(config, events)), events, compression.enabled());
    }

    /** Two nodes that know each other, with a session. */
    private static void introduce(Node a, Node b) {
        get(a.mesh.addPeer(PeerConfig.of(b.publicKey(), b.mesh.localAddress())));
        get(b.mesh.addPeer(PeerConfig.of(a.publicKey(), a.mesh.localAddress())));
        assertTrue(get(a.mesh.connect(b.publicKey())));
    }

    /**
     * Waits until {@code a} knows what {@code b} decodes (b's COMPRESSION frame came with its first
     * packets): messages sent before go raw.
     */
    private static void awaitOffer(Node a, Node b) {
        await("b's offer at a", () -> a.mesh.peerState(b.publicKey()).peerCompression != null);
    }

    private static CompressionConfig withDictionary(byte[] d) {
        return TestDictionaries.config(d);
    }

    /** Sends every message on {@code c}, waiting while the channel is full. */
    private static void sendAll(Channel c, List<byte[]> messages) {
        for (byte[] m : messages) {
            while (!c.send(m)) {
                LockSupport.parkNanos(200_000);
            }
        }
    }

    private static List<byte[]> received(Node n, long channel) {
        List<byte[]> out = new ArrayList<>();
        for (Message m : n.events.messages) {
            if (m.channelId() == channel) {
                out.add(m.data());
            }
        }
        return out;
    }

    private static void assertSameMessages(List<byte[]> sent, List<byte[]> got) {
        assertEquals(sent.size(), got.size());
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), got.get(i), "message " + i);
        }
    }

    /**
     * Sends 2,000 records from a to b on channel 4 with {@code compression} (after one message that
     * lets a learn b's offer) and returns a's counts.
     */
    private CompressionStats transfer(Node a, Node b, Compression compression) {
        Channel c = a.mesh.channel(b.publicKey(), 4, compression);
        List<byte[]> records = JsonRecords.generate(99, 2000);
        sendAll(c, records.subList(0, 1));
        await("the first message", () -> received(b, 4).size() == 1);
        if (!b.mesh.dictionaries().isEmpty() || b.offersZstd) {
            awaitOffer(a, b);
        }
        sendAll(c, records.subList(1, records.size()));
        await(() -> "2000 messages, got " + received(b, 4).size(), () -> received(b, 4).size() == 2000);
        assertSameMessages(records, received(b, 4));
        assertEquals(0, b.mesh.compressionStats().dropped());
        return a.mesh.compressionStats();
    }

    @Test
    void noCompressionSendsPlainMessages() {
        Node a = start(withDictionary(dictionary));
        Node b = start(withDictionary(dictionary));
        introduce(a, b);
        CompressionStats s = transfer(a, b, Compression.NONE);
        assertEquals(0, s.sentZstd() + s.sentDictionary() + s.sentRaw(), "no codec header at all");
        assertEquals(0, b.mesh.compressionStats().received());
    }

    @Test
    void zstdWithoutADictionary() {
        Node a = start(CompressionConfig.DEFAULT);
        Node b = start(CompressionConfig.DEFAULT);
        introduce(a, b);
        CompressionStats s = transfer(a, b, Compression.ZSTD);
        assertEquals(1999, s.sentZstd(), s.toString());
        assertEquals(0, s.sentDictionary());
        assertTrue(s.sentCodedBytes() < s.sentPlainBytes() * 0.7, s.toString());
        assertEquals(2000, b.mesh.compressionStats().received());
    }

    @Test
    void aDictionaryBothHoldAtLeastHalvesTheBytes() {
        Node a = start(withDictionary(dictionary));
        Node b = start(withDictionary(dictionary));
        introduce(a, b);
        CompressionStats s = transfer(a, b, Compression.dictionary("json"));
        assertEquals(1999, s.sentDictionary(), s.toString());
        assertTrue(s.sentCodedBytes() * 2 < s.sentPlainBytes(), s.toString());
        System.out.printf("dictionary on the channel: %d -> %d bytes (%.2fx)%n", s.sentPlainBytes(), s.sentCodedBytes(),
                (double) s.sentPlainBytes() / s.sentCodedBytes());
    }

    @Test
    void aPeerWithoutTheDictionaryGetsPlainZstd() {
        Node a = start(withDictionary(dictionary));
        Node b = start(CompressionConfig.DEFAULT);
        introduce(a, b);
        CompressionStats s = transfer(a, b, Compression.dictionary("json"));
        assertEquals(0, s.sentDictionary());
        assertEquals(1999, s.sentZstd(), s.toString());
    }

    @Test
    void aPeerWithAnotherDictionaryUnderTheSameIdGetsPlainZstd() {
        Node a = start(withDictionary(dictionary));
        Node b = start(withDictionary(sameIdOtherContent));
        assertEquals(a.mesh.dictionaries().getFirst().id(), b.mesh.dictionaries().getFirst().id());
        assertNotEquals(a.mesh.dictionaries().getFirst().ref(), b.mesh.dictionaries().getFirst().ref());
        introduce(a, b);
        CompressionStats s = transfer(a, b, Compression.dictionary("json"));
        assertEquals(0, s.sentDictionary());
        assertEquals(1999, s.sentZstd(), s.toString());
    }

    @Test
    void aPeerThatDoesNotCompressGetsRawMessages() {
        Node a = start(withDictionary(dictionary));
        Node b = start(CompressionConfig.OFF);
        introduce(a, b);
        CompressionStats s = transfer(a, b, Compression.dictionary("json"));
        assertEquals(0, s.sentDictionary() + s.sentZstd());
        assertEquals(2000, s.sentRaw());
        assertEquals(Compression.NONE, b.mesh.channel(a.publicKey(), 4, Compression.ZSTD).compression(),
                "a node that does not compress sends plain whatever is asked");
    }

    @Test
    void bothDirectionsAndSeveralChannelsAtOnceExactlyOnceInOrder() throws Exception {
        Node a = start(withDictionary(dictionary));
        Node b = start(withDictionary(dictionary));
        introduce(a, b);
        Compression[] kinds = {Compression.NONE, Compression.ZSTD, Compression.dictionary("json")};
        a.mesh.channel(b.publicKey(), 0).send(new byte[] {9});
        await("the opener", () -> !b.events.messages.isEmpty());
        awaitOffer(a, b);
        awaitOffer(b, a);
        List<Thread> senders = new ArrayList<>();
        List<List<byte[]>> sent = new ArrayList<>();
        for (int k = 0; k < kinds.length; k++) {
            for (Node[] dir : new Node[][] {{a, b}, {b, a}}) {
                long id = 10 + 2L * k + (dir[0] == a ? 0 : 1);
                List<byte[]> records = JsonRecords.generate(id, 1500);
                sent.add(records);
                Channel c = dir[0].mesh.channel(dir[1].publicKey(), id, kinds[k]);
                senders.add(Thread.ofPlatform().start(() -> sendAll(c, records)));
            }
        }
        for (Thread t : senders) {
            t.join();
        }
        int i = 0;
        for (int k = 0; k < kinds.length; k++) {
            for (Node[] dir : new Node[][] {{a, b}, {b, a}}) {
                long id = 10 + 2L * k + (dir[0] == a ? 0 : 1);
                List<byte[]> records = sent.get(i++);
                await(() -> "channel " + id, () -> received(dir[1], id).size() >= records.size());
                assertSameMessages(records, received(dir[1], id));
            }
        }
        assertTrue(a.mesh.compressionStats().sentDictionary() > 1000);
        assertTrue(b.mesh.compressionStats().sentDictionary() > 1000);
    }

    @Test
    void hostileCodedMessagesAreDroppedAndCountedAndTheRestArrive() throws IOException {
        Node a = start(withDictionary(dictionary));
        Node b = start(withDictionary(dictionary));
        introduce(a, b);
        Channel c = a.mesh.channel(b.publicKey(), 6, Compression.ZSTD);
        byte[] first = JsonRecords.generate(5, 1).getFirst();
        sendAll(c, List.of(first));
        await("the first message", () -> received(b, 6).size() == 1);
        awaitOffer(a, b);

        List<byte[]> hostile = new ArrayList<>();
        byte[] zeros;
        try (ZstdCompressCtx ctx = new ZstdCompressCtx().setMagicless(true).setContentSize(true)) {
            zeros = ctx.compress(new byte[4 << 20]);
            byte[] small = ctx.compress(new byte[10]);
            byte[] big = ctx.compress(new byte[1 << 20]);
            byte[] concatenated = new byte[1 + small.length + big.length];
            concatenated[0] = CodedMessage.ZSTD;
            System.arraycopy(small, 0, concatenated, 1, small.length);
            System.arraycopy(big, 0, concatenated, 1 + small.length, big.length);
            hostile.add(concatenated); // declares 10 bytes, holds 1 MiB more: a bomb
        }
        byte[] lying = new byte[] {CodedMessage.ZSTD, (byte) 0xA0, 0, 0, 0, 0x40, 1, 0}; // declares 1 GiB in 7 bytes
        hostile.add(lying);
        byte[] corrupt = new byte[] {CodedMessage.ZSTD, 0x20, 0x10, 0x55, 0x55, 0x55, 0x55, 0x55};
        hostile.add(corrupt);
        hostile.add(new byte[] {CodedMessage.ZSTD_DICTIONARY, 1, 2, 3, 4, 0x20, 0x00}); // a dictionary b does not hold
        hostile.add(new byte[] {9, 1, 2, 3}); // no such codec
        // Put them on the channel as they are, behind the node's encoder (a peer's own code would).
        for (byte[] h : hostile) {
            c.queue.add(h, false);
        }
        byte[] last = JsonRecords.generate(6, 1).getFirst();
        sendAll(c, List.of(last));
        await("the last message", () -> received(b, 6).size() == 2);
        assertArrayEquals(first, received(b, 6).get(0));
        assertArrayEquals(last, received(b, 6).get(1));
        CompressionStats s = b.mesh.compressionStats();
        assertEquals(2, s.bombs(), s.toString());
        assertEquals(1, s.unknownDictionary(), s.toString());
        assertEquals(2, s.corrupt(), s.toString());
        assertTrue(zeros.length < 1000);
        assertTrue(b.mesh.isPeer(a.publicKey()), "the peer is not punished: it is the message that is dropped");
    }

    @Test
    void aRetrainedDictionaryIsANewVersionForNewChannelsWhileOldChannelsKeepTheirs() throws IOException {
        Path fa = Files.createTempFile("keymesh-a", ".zdict");
        Path fb = Files.createTempFile("keymesh-b", ".zdict");
        fa.toFile().deleteOnExit();
        fb.toFile().deleteOnExit();
        Files.write(fa, dictionary);
        Files.write(fb, dictionary);
        Node a = start(CompressionConfig.DEFAULT.withDictionaries(List.of(DictionarySource.file("json", fa))));
        Node b = start(CompressionConfig.DEFAULT.withDictionaries(List.of(DictionarySource.file("json", fb))));
        introduce(a, b);
        Channel old = a.mesh.channel(b.publicKey(), 2, Compression.dictionary("json"));
        List<byte[]> records = JsonRecords.generate(3, 40);
        sendAll(old, records.subList(0, 1));
        await("first", () -> received(b, 2).size() == 1);
        awaitOffer(a, b);
        sendAll(old, records.subList(1, 10));
        await("ten", () -> received(b, 2).size() == 10);
        long firstId = old.choice.dictionary().id();
        assertEquals(TestDictionaries.id(dictionary), firstId);

        // a is given the retrained dictionary first: b does not hold it yet, so nothing changes.
        Path tmp = Files.createTempFile("keymesh-new", ".zdict");
        Files.write(tmp, otherDictionary);
        Files.copy(tmp, fa, StandardCopyOption.REPLACE_EXISTING);
        DictionaryStore.Reload ra = a.mesh.reloadDictionaries();
        assertEquals(1, ra.added().size(), ra.toString());
        assertEquals(2, ra.added().getFirst().version());
        assertEquals(2, a.mesh.dictionaries().size());
        Channel early = a.mesh.channel(b.publicKey(), 8, Compression.dictionary("json"));
        sendAll(early, records.subList(0, 1));
        await("early", () -> received(b, 8).size() == 1);
        assertEquals(firstId, early.choice.dictionary().id(), "b holds only the first version");

        Files.copy(tmp, fb, StandardCopyOption.REPLACE_EXISTING);
        assertEquals(1, b.mesh.reloadDictionaries().added().size());
        await("a hears b's new offer", () -> {
            PeerState s = a.mesh.peerState(b.publicKey());
            return s.peerCompression != null && s.peerCompression.dictionaries().size() == 2;
        });
        Channel fresh = a.mesh.channel(b.publicKey(), 12, Compression.dictionary("json"));
        sendAll(fresh, records);
        sendAll(old, records.subList(10, 40));
        await("all", () -> received(b, 12).size() == 40 && received(b, 2).size() == 40);
        assertEquals(TestDictionaries.id(otherDictionary), fresh.choice.dictionary().id(), "new channels take the newest");
        assertEquals(firstId, old.choice.dictionary().id(), "old channels keep theirs");
        assertSameMessages(records, received(b, 2));
        assertSameMessages(records, received(b, 12));
        assertEquals(0, b.mesh.compressionStats().dropped());

        // The file now holds content whose id is held for other content: refused, nothing changes.
        Files.write(fa, TestDictionaries.withId(otherDictionary, firstId));
        DictionaryStore.Reload bad = a.mesh.reloadDictionaries();
        assertTrue(bad.added().isEmpty());
        assertTrue(bad.problems().getFirst().contains("already held for other content"), bad.problems().toString());
    }

    @Test
    void aHandleIsTheSameUntilItsCompressionIsAskedOtherwise() {
        Node a = start(CompressionConfig.DEFAULT);
        Node b = start(CompressionConfig.DEFAULT);
        introduce(a, b);
        Channel c = a.mesh.channel(b.publicKey(), 20, Compression.ZSTD);
        assertEquals(c, a.mesh.channel(b.publicKey(), 20));
        assertEquals(c, a.mesh.channel(b.publicKey(), 20, Compression.ZSTD));
        assertThrows(IllegalArgumentException.class, () -> a.mesh.channel(b.publicKey(), 20, Compression.NONE));
        assertEquals(a.mesh.maxMessage() - CodedMessage.MAX_HEADER_LENGTH, c.maxMessage());
        assertThrows(IllegalArgumentException.class, () -> c.send(new byte[c.maxMessage() + 1]));
        assertNull(a.mesh.channel(b.publicKey(), 22).choice);
        assertNotNull(Compression.parse("dictionary:json").dictionary());
    }
}
