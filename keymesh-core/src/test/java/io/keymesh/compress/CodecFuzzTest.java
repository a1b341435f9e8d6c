package io.keymesh.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.keymesh.wire.CompressionFrame;
import io.keymesh.wire.CompressionOffer;
import io.keymesh.wire.VarInt;
import java.util.Arrays;

/**
 * Fuzzes what a peer can send to a node's compression: a coded message (the node's
 * {@link MessageDecoder}, holding a dictionary) and a COMPRESSION frame body. The first input byte
 * chooses which; the rest is the input. Invariant: nothing throws; a decoded message has at most
 * the channel limit's bytes (a RAW one is exactly the input after its codec byte), and what was
 * in {@code CodecFuzzTestInputs/codedMessage/}.
 */
class CodecFuzzTest {
    /** A small limit, so that inputs can reach it. */
    private static final int MAX_MESSAGE = 64 << 10;
    private static final DictionaryStore STORE = TestDictionaries.store(TestDictionaries.trained(1));

    private final CompressionCounters counters = new CompressionCounters();
    private final MessageDecoder decoder = new MessageDecoder(STORE, MAX_MESSAGE, counters);

    @FuzzTest
    void codedMessage(byte[] input) {
        if (input.length == 0) {
            return;
        }
        byte[] body = Arrays.copyOfRange(input, 1, input.length);
        if ((input[0] & 1) == 0) {
            long before = counters.snapshot().dropped();
            byte[] out = decoder.decode(body);
            if (out == null) {
                assertEquals(before + 1, counters.snapshot().dropped(), "a dropped message is counted");
                return;
            }
            assertTrue(out.length <= MAX_MESSAGE, "bounded by the channel limit");
            assertTrue(out.length <= (long) body.length * MessageDecoder.MAX_RATIO, "bounded by zstd's largest expansion");
            if (body[0] == CodedMessage.RAW) {
                assertArrayEquals(Arrays.copyOfRange(body, 1, body.length), out);
            }
        } else {
            CompressionOffer offer = CompressionFrame.read(body, 0, body.length);
            if (offer != null) {
                byte[] w = new byte[CompressionFrame.frameLength(offer)];
                CompressionFrame.write(w, 0, offer);
                int header = 1 + VarInt.encodedLength(w[1]); // type and length
                assertEquals(offer, CompressionFrame.read(w, header, w.length - header));
            }
        }
    }
}
