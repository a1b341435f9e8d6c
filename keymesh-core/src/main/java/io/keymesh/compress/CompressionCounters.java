package io.keymesh.compress;

import java.util.concurrent.atomic.LongAdder;

/** A node's compression counts, added to from any thread; {@link #snapshot()} reads them. */
public final class CompressionCounters {
    final LongAdder sentZstd = new LongAdder();
    final LongAdder sentDictionary = new LongAdder();
    final LongAdder sentRaw = new LongAdder();
    final LongAdder sentPlainBytes = new LongAdder();
    final LongAdder sentCodedBytes = new LongAdder();
    final LongAdder received = new LongAdder();
    final LongAdder receivedCodedBytes = new LongAdder();
    final LongAdder receivedPlainBytes = new LongAdder();
    final LongAdder corrupt = new LongAdder();
    final LongAdder bombs = new LongAdder();
    final LongAdder unknownDictionary = new LongAdder();
    final LongAdder recoded = new LongAdder();

    /** A message queued with one codec was coded again, because the peer no longer decodes that codec. */
    public void recoded() {
        recoded.increment();
    }

    public CompressionStats snapshot() {
        return new CompressionStats(sentZstd.sum(), sentDictionary.sum(), sentRaw.sum(), sentPlainBytes.sum(),
                sentCodedBytes.sum(), received.sum(), receivedCodedBytes.sum(), receivedPlainBytes.sum(), corrupt.sum(),
                bombs.sum(), unknownDictionary.sum(), recoded.sum());
    }
}
