package io.keymesh.node;

import io.keymesh.compress.CodedMessage;
import io.keymesh.compress.Compression;
import io.keymesh.compress.CompressionConfig;
import io.keymesh.compress.CompressionCounters;
import io.keymesh.compress.Dictionary;
import io.keymesh.compress.DictionaryStore;
import io.keymesh.compress.MessageDecoder;
import io.keymesh.compress.MessageEncoder;
import io.keymesh.io.PerThread;
import io.keymesh.wire.CompressionOffer;

/**
 * The node's channel compression: its dictionaries and the offer it tells peers
 * ({@link DictionaryStore}), a {@link MessageEncoder} per sending thread (a channel's messages are
 * compressed on the thread that sends them, not on the loop), the loop's {@link MessageDecoder},
 * and the counters.
 *
 * <p>Each coded channel keeps a {@link Choice}: what its messages are coded with, made from the
 * peer's offer the first time one is known and kept for the channel's life while the peer still
 * decodes it. Before the peer's offer is known, messages go raw. A message queued under a codec the
 * peer no longer decodes (it restarted with other dictionaries) is coded again on the loop before it
 * reaches the connection ({@link #forPeer}).
 *
 * <p>Thread-safe as each method states.
 */
final class ChannelCodecs {
    /** What a coded channel sends with, and the peer offer it was made from (null: not known yet). */
    record Choice(CompressionOffer basis, boolean zstd, Dictionary dictionary) {
        static final Choice RAW = new Choice(null, false, null);
    }

    final DictionaryStore store;
    final CompressionCounters counters = new CompressionCounters();
    private final PerThread<MessageEncoder> encoders;
    private final MessageDecoder decoder;
    /** Decodes this node's own queued messages to code them again: not counted as received. */
    private final MessageDecoder ownDecoder;
    private final MessageEncoder loopEncoder;

    /**
     * @throws IllegalArgumentException if a dictionary cannot be read or is not one
     */
    ChannelCodecs(CompressionConfig config, int maxMessage) {
        this.store = DictionaryStore.open(config);
        this.encoders = new PerThread<>(() -> new MessageEncoder(config.level()));
        this.decoder = new MessageDecoder(store, maxMessage, counters);
        this.ownDecoder = new MessageDecoder(store, maxMessage, new CompressionCounters());
        this.loopEncoder = new MessageEncoder(config.level());
    }

    /** What a channel asked for, as this node can send it: {@link Compression#NONE} when it does not compress. Any thread. */
    Compression effective(Compression asked) {
        return store.zstd() ? asked : Compression.NONE;
    }

    /**
     * The choice for a channel sending with {@code compression} to a peer that offered {@code peer}:
     * {@code previous} while the peer still decodes it, else a new one. Any thread.
     */
    Choice choose(Compression compression, CompressionOffer peer, Choice previous) {
        if (peer == null) {
            return Choice.RAW;
        }
        if (previous != null && previous.basis != null && stillDecodes(peer, previous)) {
            return previous.basis == peer ? previous : new Choice(peer, previous.zstd, previous.dictionary);
        }
        if (!peer.zstd()) {
            return new Choice(peer, false, null);
        }
        Dictionary d = compression.kind() == Compression.Kind.DICTIONARY ? store.pick(compression.dictionary(), peer) : null;
        return new Choice(peer, true, d);
    }

    private static boolean stillDecodes(CompressionOffer peer, Choice c) {
        if (!c.zstd) {
            return !peer.zstd(); // raw because the peer took no zstd: choose again once it does
        }
        return c.dictionary == null ? peer.zstd() : peer.has(c.dictionary.ref());
    }

    /** {@code message} coded for channel {@code c}, whose peer offered {@code peer}. Any thread. */
    byte[] encode(Channel c, byte[] message, CompressionOffer peer) {
        Choice choice = c.choice;
        if (choice == null || choice.basis != peer) {
            choice = choose(c.compression(), peer, choice);
            c.choice = choice;
        }
        MessageEncoder e = encoders.acquire();
        try {
            return e.encode(message, choice.zstd, choice.dictionary, counters);
        } finally {
            encoders.release(e);
        }
    }

    /**
     * Loop thread: {@code coded} as it may go to a peer that offers {@code peer} now: itself (the
     * common case, one comparison), or coded again if the peer does not decode its codec.
     */
    byte[] forPeer(Channel c, byte[] coded, CompressionOffer peer) {
        int codec = coded[0];
        if (codec == CodedMessage.RAW || (codec != CodedMessage.ZSTD && codec != CodedMessage.ZSTD_DICTIONARY)
                || coded.length < CodedMessage.headerLength(codec)) {
            return coded; // raw, or not a message of ours: as it is
        }
        Choice choice = c.choice;
        if (choice != null && choice.basis == peer && peer != null) {
            if (codec == CodedMessage.ZSTD ? choice.dictionary == null && choice.zstd
                    : choice.dictionary != null && choice.dictionary.id() == dictionaryId(coded)) {
                return coded;
            }
        }
        if (peer != null && peer.zstd()) {
            if (codec == CodedMessage.ZSTD) {
                return coded;
            }
            Dictionary d = store.byId(dictionaryId(coded));
            if (d != null && peer.has(d.ref())) {
                return coded;
            }
        }
        byte[] plain = ownDecoder.decode(coded); // our own message: it decodes
        if (plain == null) {
            return coded; // not one of ours after all: the peer drops it and counts it
        }
        choice = choose(c.compression(), peer, null);
        c.choice = choice;
        counters.recoded();
        return loopEncoder.encode(plain, choice.zstd, choice.dictionary, counters);
    }

    private static long dictionaryId(byte[] coded) {
        return (coded[1] & 0xffL) << 24 | (coded[2] & 0xffL) << 16 | (coded[3] & 0xffL) << 8 | (coded[4] & 0xffL);
    }

    /** Loop thread: a received coded message decoded, or null (dropped and counted). */
    byte[] decode(byte[] coded) {
        return decoder.decode(coded);
    }
}
