package io.keymesh.channel;

import java.util.Arrays;

/**
 * What one sent channel packet carried, kept until it is acknowledged or lost so that its frames'
 * fate reaches their owners: stream data ranges (resent when lost — frames, not packets, are
 * retransmitted), flow-control limits, the largest packet number its ACK acknowledged, the path
 * it went on and whether it was a path-MTU probe.
 *
 * <p>Not thread-safe; owned by one {@link ChannelConnection}.
 */
final class SentFrames {
    long[] streamIds = new long[4];
    long[] streamOffsets = new long[4];
    int[] streamLengths = new int[4];
    boolean[] streamFins = new boolean[4];
    int streams;

    long[] maxStreamDataIds = new long[0];
    long[] maxStreamDataValues = new long[0];
    int maxStreamData;

    long[] blockedIds = new long[0];
    long[] blockedLimits = new long[0];
    int blocked;

    long[] resetIds = new long[0];
    int resets;

    long maxData = -1;
    long maxStreams = -1;
    long dataBlocked = -1;
    long ackLargest = -1;
    /** The version of the COMPRESSION frame the packet carried, or -1. */
    long compressionVersion = -1;
    /** The number of our IDLE_CLOSE proposal the packet carried, or -1. */
    long idleCloseProposal = -1;
    /** The peer's IDLE_CLOSE proposal the packet refused (an IDLE_CLOSE_ANSWER), or -1. */
    long idleCloseRefusal = -1;
    /** The path the packet was sent on: its path-MTU discovery hears the packet's fate. */
    PathState path;
    /** Whether the packet went marked ECT(0) ({@link EcnValidation#marking()} of its path when it was built). */
    boolean ecnMarked;
    /** The probe's UDP payload size as path-MTU discovery asked for it, or 0. */
    int probeSize;
    /** The packet's UDP payload size (WireGuard header and tag included). */
    int udpSize;
    /** The size path-MTU discovery counts the packet as: its confirmed size for a full packet, else {@link #udpSize}. */
    int pmtuSize;

    void addStream(long id, long offset, int length, boolean fin) {
        if (streams == streamIds.length) {
            int n = streams * 2;
            streamIds = Arrays.copyOf(streamIds, n);
            streamOffsets = Arrays.copyOf(streamOffsets, n);
            streamLengths = Arrays.copyOf(streamLengths, n);
            streamFins = Arrays.copyOf(streamFins, n);
        }
        streamIds[streams] = id;
        streamOffsets[streams] = offset;
        streamLengths[streams] = length;
        streamFins[streams] = fin;
        streams++;
    }

    void addMaxStreamData(long id, long value) {
        if (maxStreamData == maxStreamDataIds.length) {
            int n = Math.max(4, maxStreamData * 2);
            maxStreamDataIds = Arrays.copyOf(maxStreamDataIds, n);
            maxStreamDataValues = Arrays.copyOf(maxStreamDataValues, n);
        }
        maxStreamDataIds[maxStreamData] = id;
        maxStreamDataValues[maxStreamData] = value;
        maxStreamData++;
    }

    void addBlocked(long id, long limit) {
        if (blocked == blockedIds.length) {
            int n = Math.max(4, blocked * 2);
            blockedIds = Arrays.copyOf(blockedIds, n);
            blockedLimits = Arrays.copyOf(blockedLimits, n);
        }
        blockedIds[blocked] = id;
        blockedLimits[blocked] = limit;
        blocked++;
    }

    void addReset(long id) {
        if (resets == resetIds.length) {
            resetIds = Arrays.copyOf(resetIds, Math.max(4, resets * 2));
        }
        resetIds[resets++] = id;
    }
}
