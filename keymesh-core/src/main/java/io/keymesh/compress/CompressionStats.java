package io.keymesh.compress;

/**
 * A node's compression counts since it started, over every coded channel. Bytes are message bytes
 * (plain: as the application sent or received them; coded: with the codec header), not packets.
 *
 * @param sentZstd messages sent compressed with plain zstd
 * @param sentDictionary messages sent compressed with a dictionary
 * @param sentRaw messages sent raw on coded channels (they would not shrink, were too short, or the
 *     peer decodes no zstd or has not said yet)
 * @param sentPlainBytes the application's bytes of those messages
 * @param sentCodedBytes the bytes they took coded
 * @param received messages decoded on coded channels and delivered
 * @param receivedCodedBytes their bytes as they came
 * @param receivedPlainBytes their bytes delivered
 * @param corrupt messages dropped: an undefined codec, a frame zstd refused, a size that does not match
 * @param bombs messages dropped that would have decompressed beyond the channel's message limit, or
 *     beyond what zstd's format can expand their length to
 * @param unknownDictionary messages dropped that named a dictionary this node does not hold
 * @param recoded queued messages coded again because the peer no longer decodes their codec (it restarted)
 */
public record CompressionStats(long sentZstd, long sentDictionary, long sentRaw, long sentPlainBytes, long sentCodedBytes,
        long received, long receivedCodedBytes, long receivedPlainBytes, long corrupt, long bombs, long unknownDictionary,
        long recoded) {

    /** Messages dropped on receipt, for any reason. */
    public long dropped() {
        return corrupt + bombs + unknownDictionary;
    }
}
