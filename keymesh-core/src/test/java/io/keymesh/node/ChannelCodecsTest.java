package io.keymesh.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.keymesh.compress.CodedMessage;
import io.keymesh.compress.Compression;
import io.keymesh.compress.TestDictionaries;
import io.keymesh.testing.JsonRecords;
import io.keymesh.testing.TestKeys;
import io.keymesh.wire.CompressionOffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A channel's codec choice: sticky while the peer decodes it; queued messages coded again when it no longer does. */
class ChannelCodecsTest {
    @Test
    void aMessageQueuedForAPeerThatRestartedWithoutTheDictionaryIsCodedAgain() {
        ChannelCodecs codecs = new ChannelCodecs(TestDictionaries.config(TestDictionaries.trained(1)), 1 << 20);
        Channel c = new Channel(null, TestKeys.newKey().publicKey(), 1, Compression.dictionary("json"));
        byte[] record = JsonRecords.generate(11, 1).getFirst();
        CompressionOffer before = codecs.store.offer();
        byte[] m = codecs.encode(c, record, before);
        assertEquals(CodedMessage.ZSTD_DICTIONARY, m[0]);
        assertSame(m, codecs.forPeer(c, m, before), "the peer decodes it: as it is");

        CompressionOffer restarted = new CompressionOffer(0, true, List.of());
        byte[] again = codecs.forPeer(c, m, restarted);
        assertEquals(CodedMessage.ZSTD, again[0]);
        assertArrayEquals(record, codecs.decode(again));
        assertEquals(1, codecs.counters.snapshot().recoded());
        assertEquals(null, c.choice.dictionary(), "the channel goes on with plain zstd");

        byte[] unknown = codecs.forPeer(c, m, null);
        assertEquals(CodedMessage.RAW, unknown[0], "nothing known of the peer: raw");
        assertArrayEquals(record, codecs.decode(unknown));
    }

    @Test
    void aChoiceIsKeptWhileThePeerStillDecodesIt() {
        ChannelCodecs codecs = new ChannelCodecs(TestDictionaries.config(TestDictionaries.trained(1)), 1 << 20);
        CompressionOffer offer = codecs.store.offer();
        ChannelCodecs.Choice first = codecs.choose(Compression.dictionary("json"), offer, null);
        assertEquals(codecs.store.dictionaries().getFirst(), first.dictionary());
        CompressionOffer later = new CompressionOffer(5, true, offer.dictionaries());
        ChannelCodecs.Choice kept = codecs.choose(Compression.dictionary("json"), later, first);
        assertSame(first.dictionary(), kept.dictionary());
        assertSame(later, kept.basis());
        assertEquals(ChannelCodecs.Choice.RAW, codecs.choose(Compression.ZSTD, null, kept));
        ChannelCodecs.Choice noZstd = codecs.choose(Compression.ZSTD, new CompressionOffer(1, false, List.of()), null);
        assertEquals(false, noZstd.zstd());
        ChannelCodecs.Choice unknownName = codecs.choose(Compression.dictionary("nope"), offer, null);
        assertEquals(true, unknownName.zstd());
        assertEquals(null, unknownName.dictionary());
    }
}
