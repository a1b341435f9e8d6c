package io.keymesh.metrics;

import static io.keymesh.metrics.MeterNames.DIRECTION;
import static io.keymesh.metrics.MeterNames.RX;
import static io.keymesh.metrics.MeterNames.TX;

import io.keymesh.channel.ChannelConnection;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.PathInfo;
import io.keymesh.node.PeerStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The meters of one peer, tagged {@code peer=KEY}: they read the peer's statistics of the latest
 * snapshot, which {@link #update} sets. Counters read what the node counts now, so they start again
 * from 0 when the peer is removed and added back, or when its reliable connection is new.
 *
 * <p>Registered and removed by {@link KeymeshMetrics} under its lock; read from any thread.
 */
final class PeerMeters {
    private final List<Meter> meters = new ArrayList<>();
    private final Runnable freshen;
    private volatile PeerStats stats;
    private volatile ChannelConnection.Stats channel;

    /** Registers the meters of {@code key}; {@code freshen} runs before each read (it refreshes the snapshot if stale). */
    PeerMeters(PublicKey key, PeerStats first, ChannelConnection.Stats firstChannel, MeterRegistry registry, Tags common,
            Runnable freshen) {
        this.stats = first;
        this.channel = firstChannel;
        this.freshen = freshen;
        Tags tags = common.and(MeterNames.PEER, key.toBase64());
        gauge(registry, MeterNames.PEER_UP, tags, "1 while the peer's session is up", s -> s.up() ? 1 : 0);
        counter(registry, MeterNames.PEER_PACKETS, tags.and(DIRECTION, TX), null, "WireGuard packets sent", PeerStats::txPackets);
        counter(registry, MeterNames.PEER_PACKETS, tags.and(DIRECTION, RX), null, "WireGuard packets received", PeerStats::rxPackets);
        counter(registry, MeterNames.PEER_BYTES, tags.and(DIRECTION, TX), "bytes", "UDP payload bytes sent", PeerStats::txBytes);
        counter(registry, MeterNames.PEER_BYTES, tags.and(DIRECTION, RX), "bytes", "UDP payload bytes received", PeerStats::rxBytes);
        counter(registry, MeterNames.PEER_DATAGRAMS, tags.and(DIRECTION, TX), null, "datagrams sent", PeerStats::datagramsSent);
        counter(registry, MeterNames.PEER_DATAGRAMS, tags.and(DIRECTION, RX), null, "datagrams received", PeerStats::datagramsReceived);
        counter(registry, MeterNames.PEER_HANDSHAKES, tags, null, "handshakes completed", PeerStats::handshakes);
        time(registry, MeterNames.PEER_HANDSHAKE_AGE, tags, "time since the last handshake",
                m -> m.stats.lastHandshakeAgoNanos() < 0 ? Double.NaN : m.stats.lastHandshakeAgoNanos());
        time(registry, MeterNames.PEER_RTT, tags, "probed round-trip time of the path in use", m -> {
            PathInfo p = m.stats.path();
            return p == null || p.rttNanos() <= 0 ? Double.NaN : p.rttNanos();
        });
        gauge(registry, MeterNames.PEER_PATH_RELAYED, tags, "1 if the path in use is relayed, 0 if direct", s -> {
            PathInfo p = s.path();
            return p == null ? Double.NaN : p.relayed() ? 1 : 0;
        });
        channelCounter(registry, MeterNames.PEER_CHANNEL_PACKETS, tags.and(DIRECTION, TX), "reliable connection packets sent",
                ChannelConnection.Stats::packetsSent);
        channelCounter(registry, MeterNames.PEER_CHANNEL_PACKETS, tags.and(DIRECTION, RX),
                "reliable connection packets received", ChannelConnection.Stats::packetsReceived);
        channelCounter(registry, MeterNames.PEER_CHANNEL_LOST, tags, "reliable connection packets declared lost",
                ChannelConnection.Stats::packetsLost);
        channelCounter(registry, MeterNames.PEER_CHANNEL_DUPLICATES, tags, "reliable connection packets received twice",
                ChannelConnection.Stats::duplicatesDropped);
        time(registry, MeterNames.PEER_CHANNEL_RTT, tags, "the reliable connection's smoothed round-trip time",
                m -> m.channel == null ? Double.NaN : m.channel.smoothedRttNanos());
    }

    void update(PeerStats s, ChannelConnection.Stats c) {
        stats = s;
        channel = c;
    }

    void remove(MeterRegistry registry) {
        for (Meter m : meters) {
            registry.remove(m);
        }
        meters.clear();
    }

    private PeerStats read() {
        freshen.run();
        return stats;
    }

    private void gauge(MeterRegistry r, String name, Tags tags, String help, ToDoubleFunction<PeerStats> f) {
        meters.add(Gauge.builder(name, this, m -> f.applyAsDouble(m.read())).tags(tags).description(help).register(r));
    }

    private void counter(MeterRegistry r, String name, Tags tags, String unit, String help, ToDoubleFunction<PeerStats> f) {
        meters.add(FunctionCounter.builder(name, this, m -> f.applyAsDouble(m.read())).tags(tags).baseUnit(unit)
                .description(help).register(r));
    }

    private void channelCounter(MeterRegistry r, String name, Tags tags, String help, ToDoubleFunction<ChannelConnection.Stats> f) {
        meters.add(FunctionCounter.builder(name, this, m -> {
            m.read();
            ChannelConnection.Stats c = m.channel;
            return c == null ? 0 : f.applyAsDouble(c);
        }).tags(tags).description(help).register(r));
    }

    private void time(MeterRegistry r, String name, Tags tags, String help, ToDoubleFunction<PeerMeters> f) {
        meters.add(TimeGauge.builder(name, this, TimeUnit.NANOSECONDS, m -> {
            m.read();
            return f.applyAsDouble(m);
        }).tags(tags).description(help).register(r));
    }
}
