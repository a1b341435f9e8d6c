package io.keymesh.sim;

import java.time.Duration;

/**
 * What one {@link LinkDirection} does to the datagrams that pass it. Immutable; change a link at run
 * time by giving it new conditions ({@link Link#setConditions}), which apply to datagrams entering
 * from then on.
 *
 * <p>A datagram entering a direction goes, in order, through:
 * <ol>
 *   <li><b>MTU</b>: an IP packet (payload + {@value #IPV4_UDP_OVERHEAD} bytes of IPv4 and UDP header)
 *       larger than {@link #mtu()} is dropped ({@link DropReason#MTU_EXCEEDED}); nothing fragments.
 *   <li><b>Bandwidth</b>: with {@link #bandwidthBitsPerSecond()} &gt; 0 the packet is serialised after
 *       the ones before it, taking {@code size × 8 / bandwidth} seconds; the queue holds at most
 *       {@link #queueCapacityBytes()} bytes, counting the packet being sent, and a packet that does not
 *       fit is tail-dropped ({@link DropReason#QUEUE_FULL}). 0 means unlimited: no queue.
 *   <li><b>Loss</b>: dropped with {@link #lossProbability()} ({@link DropReason#LOSS}); a lost packet
 *       has still used its share of the bandwidth.
 *   <li><b>Delay</b>: {@link #latencyNanos()} plus jitter drawn uniformly from
 *       {@code [0, jitterNanos]}. Without reordering a direction is FIFO: a packet whose draw would
 *       overtake the one before it leaves together with it instead. With {@link #reorderProbability()}
 *       a packet is held back a further {@link #reorderDelayNanos()}, outside the FIFO order, so the
 *       packets sent during that time overtake it.
 *   <li><b>Duplication</b>: with {@link #duplicateProbability()} a copy leaves right behind it.
 * </ol>
 *
 * @param latencyNanos fixed one-way delay, nanoseconds, ≥ 0
 * @param jitterNanos maximum extra random delay, nanoseconds, ≥ 0
 * @param lossProbability probability that a packet is lost, in [0, 1]
 * @param duplicateProbability probability that a packet is duplicated, in [0, 1]
 * @param reorderProbability probability that a packet is held back and overtaken, in [0, 1]
 * @param reorderDelayNanos how long a reordered packet is held back, nanoseconds, ≥ 0
 * @param bandwidthBitsPerSecond serialisation rate in bits per second of IP packets; 0 = unlimited
 * @param queueCapacityBytes bytes of IP packets the queue holds when bandwidth is limited, &gt; 0
 * @param mtu largest IP packet, in bytes, 68..65535 (RFC 791's minimum to the IPv4 maximum)
 */
public record LinkConditions(
        long latencyNanos,
        long jitterNanos,
        double lossProbability,
        double duplicateProbability,
        double reorderProbability,
        long reorderDelayNanos,
        long bandwidthBitsPerSecond,
        int queueCapacityBytes,
        int mtu) {

    /** IPv4 header (20 bytes, no options) plus UDP header (8 bytes). */
    public static final int IPV4_UDP_OVERHEAD = 28;
    /** Ethernet's MTU. */
    public static final int ETHERNET_MTU = 1500;
    /** RFC 791: every IPv4 link must carry 68-byte packets. */
    public static final int MIN_MTU = 68;
    /** The largest IPv4 packet. */
    public static final int MAX_MTU = 65535;
    /** Default queue: 1,000 full-size Ethernet packets, like Linux's default {@code txqueuelen}. */
    public static final int DEFAULT_QUEUE_CAPACITY_BYTES = 1000 * ETHERNET_MTU;

    /** Instantaneous, lossless, unlimited bandwidth, MTU {@value #ETHERNET_MTU}. */
    public static final LinkConditions DEFAULT =
            new LinkConditions(0, 0, 0, 0, 0, 0, 0, DEFAULT_QUEUE_CAPACITY_BYTES, ETHERNET_MTU);

    /** Validates every component; see the record's documentation for the ranges. */
    public LinkConditions {
        requireNonNegative("latencyNanos", latencyNanos);
        requireNonNegative("jitterNanos", jitterNanos);
        requireProbability("lossProbability", lossProbability);
        requireProbability("duplicateProbability", duplicateProbability);
        requireProbability("reorderProbability", reorderProbability);
        requireNonNegative("reorderDelayNanos", reorderDelayNanos);
        requireNonNegative("bandwidthBitsPerSecond", bandwidthBitsPerSecond);
        if (queueCapacityBytes <= 0) {
            throw new IllegalArgumentException("queueCapacityBytes must be > 0, got " + queueCapacityBytes);
        }
        if (mtu < MIN_MTU || mtu > MAX_MTU) {
            throw new IllegalArgumentException("mtu must be in " + MIN_MTU + ".." + MAX_MTU + ", got " + mtu);
        }
    }

    private static void requireNonNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + value);
        }
    }

    private static void requireProbability(String name, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1], got " + p);
        }
    }

    private static long nanos(Duration d) {
        return d.toNanos();
    }

    /** Same conditions with a fixed one-way delay. */
    public LinkConditions withLatency(Duration latency) {
        return new LinkConditions(nanos(latency), jitterNanos, lossProbability, duplicateProbability,
                reorderProbability, reorderDelayNanos, bandwidthBitsPerSecond, queueCapacityBytes, mtu);
    }

    /** Same conditions with jitter: extra delay uniform in {@code [0, jitter]}. */
    public LinkConditions withJitter(Duration jitter) {
        return new LinkConditions(latencyNanos, nanos(jitter), lossProbability, duplicateProbability,
                reorderProbability, reorderDelayNanos, bandwidthBitsPerSecond, queueCapacityBytes, mtu);
    }

    /** Same conditions with random loss. */
    public LinkConditions withLoss(double probability) {
        return new LinkConditions(latencyNanos, jitterNanos, probability, duplicateProbability,
                reorderProbability, reorderDelayNanos, bandwidthBitsPerSecond, queueCapacityBytes, mtu);
    }

    /** Same conditions with random duplication. */
    public LinkConditions withDuplication(double probability) {
        return new LinkConditions(latencyNanos, jitterNanos, lossProbability, probability,
                reorderProbability, reorderDelayNanos, bandwidthBitsPerSecond, queueCapacityBytes, mtu);
    }

    /** Same conditions where a packet is held back by {@code extraDelay} with the given probability. */
    public LinkConditions withReordering(double probability, Duration extraDelay) {
        return new LinkConditions(latencyNanos, jitterNanos, lossProbability, duplicateProbability,
                probability, nanos(extraDelay), bandwidthBitsPerSecond, queueCapacityBytes, mtu);
    }

    /** Same conditions with a bandwidth limit in bits per second (0 = unlimited). */
    public LinkConditions withBandwidth(long bitsPerSecond) {
        return new LinkConditions(latencyNanos, jitterNanos, lossProbability, duplicateProbability,
                reorderProbability, reorderDelayNanos, bitsPerSecond, queueCapacityBytes, mtu);
    }

    /** Same conditions with a queue of the given size in bytes (used only with a bandwidth limit). */
    public LinkConditions withQueueCapacity(int bytes) {
        return new LinkConditions(latencyNanos, jitterNanos, lossProbability, duplicateProbability,
                reorderProbability, reorderDelayNanos, bandwidthBitsPerSecond, bytes, mtu);
    }

    /** Same conditions with the given MTU in bytes (largest IP packet). */
    public LinkConditions withMtu(int mtu) {
        return new LinkConditions(latencyNanos, jitterNanos, lossProbability, duplicateProbability,
                reorderProbability, reorderDelayNanos, bandwidthBitsPerSecond, queueCapacityBytes, mtu);
    }
}
