package io.keymesh.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdCompressCtx;
import io.keymesh.testing.JsonRecords;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link MessageEncoder} and {@link MessageDecoder}: every codec round-trips; what a peer may send is bounded. */
class CodecTest {
    static byte[] dictionaryBytes;
    static Dictionary dictionary;
    static DictionaryStore store;

    @BeforeAll
    static void train() {
        dictionaryBytes = TestDictionaries.trained(1);
        store = TestDictionaries.store(dictionaryBytes);
        dictionary = store.dictionaries().getFirst();
    }

    @Test
    void everyCodecRoundTripsAndDictionariesShrinkMost() {
        List<byte[]> records = JsonRecords.generate(42, 500);
        CompressionCounters counters = new CompressionCounters();
        MessageEncoder encoder = new MessageEncoder(3);
        MessageDecoder decoder = new MessageDecoder(store, 1 << 20, counters);
        long plain = 0;
        long zstd = 0;
        long dict = 0;
        for (byte[] r : records) {
            byte[] raw = encoder.encode(r, false, null, counters);
            byte[] z = encoder.encode(r, true, null, counters);
            byte[] d = encoder.encode(r, true, dictionary, counters);
            assertEquals(CodedMessage.RAW, raw[0]);
            assertEquals(CodedMessage.ZSTD, z[0]);
            assertEquals(CodedMessage.ZSTD_DICTIONARY, d[0]);
            assertEquals(dictionary.id(), (d[1] & 0xffL) << 24 | (d[2] & 0xffL) << 16 | (d[3] & 0xffL) << 8 | (d[4] & 0xffL));
            assertArrayEquals(r, decoder.decode(raw));
            assertArrayEquals(r, decoder.decode(z));
            assertArrayEquals(r, decoder.decode(d));
            plain += r.length;
            zstd += z.length;
            dict += d.length;
        }
        System.out.printf("JSON-like records: %d bytes, zstd %.2fx, zstd+dictionary %.2fx%n", plain,
                (double) plain / zstd, (double) plain / dict);
        assertTrue(plain > 2 * dict, "a dictionary at least halves ~1 KB records: " + plain + " -> " + dict);
        assertTrue(dict < zstd);
        CompressionStats s = counters.snapshot();
        assertEquals(1500, s.received());
        assertEquals(0, s.dropped());
        assertEquals(500, s.sentDictionary());
    }

    @Test
    void whatDoesNotShrinkGoesRaw() {
        CompressionCounters counters = new CompressionCounters();
        MessageEncoder encoder = new MessageEncoder(3);
        byte[] random = new byte[1000];
        new SplittableRandom(1).nextBytes(random);
        byte[] coded = encoder.encode(random, true, dictionary, counters);
        assertEquals(CodedMessage.RAW, coded[0]);
        assertEquals(1001, coded.length);
        byte[] tiny = encoder.encode(new byte[] {1, 2, 3}, true, null, counters);
        assertArrayEquals(new byte[] {0, 1, 2, 3}, tiny);
        assertEquals(2, counters.snapshot().sentRaw());
        assertArrayEquals(new byte[] {0}, encoder.encode(new byte[0], true, null, counters));
    }

    @Test
    void aBombIsRefusedBeforeItIsAllocated() {
        CompressionCounters counters = new CompressionCounters();
        MessageEncoder encoder = new MessageEncoder(3);
        byte[] zeros = new byte[1 << 20];
        byte[] coded = encoder.encode(zeros, true, null, counters);
        assertTrue(coded.length < 200, "1 MiB of zeros compresses to " + coded.length);
        MessageDecoder small = new MessageDecoder(store, (1 << 20) - 1, counters);
        assertNull(small.decode(coded));
        assertEquals(1, counters.snapshot().bombs());
        MessageDecoder enough = new MessageDecoder(store, 1 << 20, counters);
        assertArrayEquals(zeros, enough.decode(coded));
    }

    @Test
    void aFrameDeclaringLessThanItHoldsIsRefused() {
        CompressionCounters counters = new CompressionCounters();
        byte[] big = new byte[100_000];
        Arrays.fill(big, (byte) 'a');
        byte[] frame;
        try (ZstdCompressCtx ctx = new ZstdCompressCtx().setMagicless(true).setContentSize(true)) {
            byte[] small = ctx.compress(new byte[10]);
            byte[] large = ctx.compress(big);
            // two frames back to back: the first declares 10 bytes, the second adds 100,000
            frame = new byte[1 + small.length + large.length];
            System.arraycopy(small, 0, frame, 1, small.length);
            System.arraycopy(large, 0, frame, 1 + small.length, large.length);
        }
        frame[0] = CodedMessage.ZSTD;
        MessageDecoder decoder = new MessageDecoder(store, 1 << 20, counters);
        assertNull(decoder.decode(frame));
        assertEquals(1, counters.snapshot().dropped());
    }

    @Test
    void theDeclaredSizeIsBoundedByWhatTheFormatCanExpandTo() {
        CompressionCounters counters = new CompressionCounters();
        // A magicless frame header declaring 2^30 bytes of content, followed by nothing.
        byte[] coded = {CodedMessage.ZSTD, (byte) 0xA0, 0x00, 0x00, 0x00, 0x40, 0x01, 0x00};
        MessageDecoder decoder = new MessageDecoder(store, Integer.MAX_VALUE - 8, counters);
        assertNull(decoder.decode(coded));
        CompressionStats s = counters.snapshot();
        assertEquals(1, s.bombs() + s.corrupt(), s.toString());
    }

    @Test
    void corruptAndUnknownInputIsDroppedAndCounted() {
        CompressionCounters counters = new CompressionCounters();
        MessageEncoder encoder = new MessageEncoder(3);
        MessageDecoder decoder = new MessageDecoder(store, 1 << 20, counters);
        byte[] record = JsonRecords.generate(7, 1).getFirst();
        byte[] z = encoder.encode(record, true, null, counters);
        byte[] flipped = z.clone();
        for (int i = 3; i < flipped.length; i += 5) {
            flipped[i] ^= 0x5a;
        }
        byte[] out = decoder.decode(flipped);
        assertTrue(out == null || out.length == record.length, "zstd has no checksum here: a corrupt frame either fails or keeps its size");
        assertNull(decoder.decode(new byte[0]));
        assertNull(decoder.decode(new byte[] {7, 1, 2}), "undefined codec");
        assertNull(decoder.decode(new byte[] {CodedMessage.ZSTD}), "no frame");
        assertNull(decoder.decode(new byte[] {CodedMessage.ZSTD_DICTIONARY, 0, 0}), "a partial dictionary id");
        byte[] d = encoder.encode(record, true, dictionary, counters);
        d[4] ^= 1; // another dictionary id
        assertNull(decoder.decode(d));
        assertEquals(1, counters.snapshot().unknownDictionary());
        assertTrue(counters.snapshot().corrupt() >= 4);
    }

    @Test
    void aNodeWithoutZstdDecodesOnlyRaw() {
        CompressionCounters counters = new CompressionCounters();
        DictionaryStore off = DictionaryStore.empty(false);
        assertNull(off.offer());
        MessageDecoder decoder = new MessageDecoder(off, 1 << 20, counters);
        byte[] z = new MessageEncoder(3).encode(new byte[500], true, null, counters);
        assertNull(decoder.decode(z));
        assertArrayEquals(new byte[] {5}, decoder.decode(new byte[] {0, 5}));
        assertNotNull(DictionaryStore.empty(true).offer());
    }
}
