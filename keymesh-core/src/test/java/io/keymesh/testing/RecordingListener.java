package io.keymesh.testing;

import io.keymesh.crypto.PublicKey;
import io.keymesh.node.NodeListener;
import io.keymesh.node.PathInfo;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * A {@link NodeListener} that records everything a node reports, for tests and benchmarks:
 * datagrams (copied), peer events (up, down, endpoint changes), channel messages and channel events,
 * each kind in arrival order. Datagrams and peer events carry the time of the call, read from the
 * recorder's clock ({@link System#nanoTime} unless a simulation's is given). Written on the node's
 * loop thread, read from any thread.
 *
 * <p>Datagrams and channel messages are kept unless a {@link #datagramSink} or {@link #messageSink}
 * is set (for floods and bulk transfers that check or count them as they come instead of keeping
 * them); they are counted either way. Each {@link #onChannelWritable} releases one permit of that
 * channel's {@link #writableSignal}, then calls the {@link #writableHook} if one is set.
 */
public final class RecordingListener implements NodeListener {
    public record Datagram(long atNanos, PublicKey from, byte[] data) {}

    /** A peer up, down (with its {@code reason}) or at a new {@code endpoint}; fields of other kinds are null. */
    public record PeerEvent(long atNanos, Kind kind, PublicKey peer, String reason, InetSocketAddress endpoint) {
        public enum Kind { UP, DOWN, ENDPOINT, UNREACHABLE }

        /** The reason of a DOWN or UNREACHABLE, the address of an ENDPOINT, empty for UP. */
        public String detail() {
            return switch (kind) {
                case UP -> "";
                case DOWN, UNREACHABLE -> reason;
                case ENDPOINT -> String.valueOf(endpoint);
            };
        }
    }

    public record EndpointChange(PublicKey peer, InetSocketAddress endpoint) {}

    public record Message(PublicKey from, long channelId, byte[] data) {}

    public record ChannelRef(PublicKey peer, long channelId) {}

    /** {@code messagesBefore}: channel messages (from any peer, any channel) received before this event. */
    public record ChannelClosed(PublicKey peer, long channelId, long errorCode, int messagesBefore) {}

    public record ChannelsLost(PublicKey peer, String reason) {}

    /** A change of the path a peer's packets take, at the recorder's clock. */
    public record PathChange(long atNanos, PublicKey peer, PathInfo path) {}

    /** Takes datagrams on the loop thread instead of {@link #datagrams}; must not block or keep {@code data}. */
    @FunctionalInterface
    public interface DatagramSink {
        void onDatagram(PublicKey from, byte[] data, int off, int len);
    }

    /** Takes channel messages on the loop thread instead of {@link #messages}; must not block. */
    @FunctionalInterface
    public interface MessageSink {
        void onMessage(PublicKey from, long channelId, byte[] message);
    }

    /** Told of each {@link #onChannelWritable} on the loop thread; must not block. */
    @FunctionalInterface
    public interface WritableHook {
        void onWritable(PublicKey peer, long channelId);
    }

    public final ConcurrentLinkedQueue<Datagram> datagrams = new ConcurrentLinkedQueue<>();
    public final ConcurrentLinkedQueue<PeerEvent> peerEvents = new ConcurrentLinkedQueue<>();
    public final ConcurrentLinkedQueue<Message> messages = new ConcurrentLinkedQueue<>();
    public final ConcurrentLinkedQueue<ChannelRef> channelsOpened = new ConcurrentLinkedQueue<>();
    public final ConcurrentLinkedQueue<ChannelClosed> channelsClosed = new ConcurrentLinkedQueue<>();
    public final ConcurrentLinkedQueue<ChannelsLost> channelsLost = new ConcurrentLinkedQueue<>();
    /** When each of {@link #channelsLost} was reported, at the recorder's clock, in the same order. */
    public final ConcurrentLinkedQueue<Long> channelsLostTimes = new ConcurrentLinkedQueue<>();
    public final ConcurrentLinkedQueue<PathChange> pathChanges = new ConcurrentLinkedQueue<>();
    /** Where datagrams go instead of {@link #datagrams}, if set. */
    public volatile DatagramSink datagramSink;
    /** Where channel messages go instead of {@link #messages}, if set. */
    public volatile MessageSink messageSink;
    /** Called on each {@link #onChannelWritable}, if set. */
    public volatile WritableHook writableHook;

    private final LongSupplier clock;
    /** The sender of the last channel message, already in {@code firstMessages} (a cache: racy reads only cost a look-up). */
    private PublicKey lastMessageFrom;
    private final Map<ChannelRef, Semaphore> writable = new ConcurrentHashMap<>();
    private final AtomicInteger datagramCount = new AtomicInteger();
    private final AtomicInteger messageCount = new AtomicInteger();
    private final java.util.Map<PublicKey, Long> firstMessages = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicInteger writableCount = new AtomicInteger();

    /** A recorder whose times are {@link System#nanoTime}. */
    public RecordingListener() {
        this(System::nanoTime);
    }

    /** A recorder whose times are {@code clock}'s, in nanoseconds. */
    public RecordingListener(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public void onDatagram(PublicKey from, byte[] data, int off, int len) {
        DatagramSink sink = datagramSink;
        if (sink != null) {
            sink.onDatagram(from, data, off, len);
        } else {
            datagrams.add(new Datagram(clock.getAsLong(), from, Arrays.copyOfRange(data, off, off + len)));
        }
        datagramCount.incrementAndGet();
    }

    @Override
    public void onPeerUp(PublicKey peer) {
        peerEvents.add(new PeerEvent(clock.getAsLong(), PeerEvent.Kind.UP, peer, null, null));
    }

    @Override
    public void onPeerDown(PublicKey peer, String reason) {
        peerEvents.add(new PeerEvent(clock.getAsLong(), PeerEvent.Kind.DOWN, peer, reason, null));
    }

    @Override
    public void onEndpointChanged(PublicKey peer, InetSocketAddress endpoint) {
        peerEvents.add(new PeerEvent(clock.getAsLong(), PeerEvent.Kind.ENDPOINT, peer, null, endpoint));
    }

    @Override
    public void onPathChanged(PublicKey peer, PathInfo path) {
        pathChanges.add(new PathChange(clock.getAsLong(), peer, path));
    }

    @Override
    public void onMessage(PublicKey from, long channelId, byte[] message) {
        if (from != lastMessageFrom) { // a burst from one peer costs one look-up, not one per message
            firstMessages.putIfAbsent(from, clock.getAsLong());
            lastMessageFrom = from;
        }
        MessageSink sink = messageSink;
        if (sink != null) {
            sink.onMessage(from, channelId, message);
        } else {
            messages.add(new Message(from, channelId, message));
        }
        messageCount.incrementAndGet();
    }

    @Override
    public void onChannelOpened(PublicKey from, long channelId) {
        channelsOpened.add(new ChannelRef(from, channelId));
    }

    @Override
    public void onChannelWritable(PublicKey peer, long channelId) {
        writableCount.incrementAndGet();
        writableSignal(peer, channelId).release();
        WritableHook hook = writableHook;
        if (hook != null) {
            hook.onWritable(peer, channelId);
        }
    }

    @Override
    public void onChannelClosed(PublicKey peer, long channelId, long errorCode) {
        channelsClosed.add(new ChannelClosed(peer, channelId, errorCode, messageCount.get()));
    }

    @Override
    public void onPeerUnreachable(PublicKey peer, String reason) {
        peerEvents.add(new PeerEvent(clock.getAsLong(), PeerEvent.Kind.UNREACHABLE, peer, reason, null));
    }

    @Override
    public void onChannelsLost(PublicKey peer, String reason) {
        channelsLostTimes.add(clock.getAsLong());
        channelsLost.add(new ChannelsLost(peer, reason));
    }

    /** A permit per {@link #onChannelWritable} for that channel. */
    public Semaphore writableSignal(PublicKey peer, long channelId) {
        return writable.computeIfAbsent(new ChannelRef(peer, channelId), k -> new Semaphore(0));
    }

    /** {@link #onChannelWritable} calls so far, on any channel. */
    public int writableCount() {
        return writableCount.get();
    }

    /** Channel messages received so far (kept or given to the sink). */
    /** When the first channel message from {@code peer} arrived, at the recorder's clock, or -1. */
    public long firstMessageAt(PublicKey peer) {
        return firstMessages.getOrDefault(peer, -1L);
    }

    public int messageCount() {
        return messageCount.get();
    }

    /** The messages kept from {@code from} on {@code channelId}, in order. */
    public List<byte[]> messages(PublicKey from, long channelId) {
        return messages.stream().filter(m -> m.from().equals(from) && m.channelId() == channelId)
                .map(Message::data).toList();
    }

    /** Datagrams received so far (kept or given to the sink). */
    public int datagramCount() {
        return datagramCount.get();
    }

    /** The datagrams kept from {@code from}, in order. */
    public List<byte[]> from(PublicKey from) {
        return datagrams.stream().filter(d -> d.from().equals(from)).map(Datagram::data).toList();
    }

    /** The events of {@code kind} about {@code peer}, in order. */
    public List<PeerEvent> peerEvents(PeerEvent.Kind kind, PublicKey peer) {
        return peerEvents.stream().filter(e -> e.kind() == kind && e.peer().equals(peer)).toList();
    }

    /** The peers reported up, in order (a peer once per time). */
    public List<PublicKey> peersUp() {
        return peerEvents.stream().filter(e -> e.kind() == PeerEvent.Kind.UP).map(PeerEvent::peer).toList();
    }

    /** The peers reported down, as {@code "peer: reason"}, in order. */
    public List<String> peersDown() {
        return peerEvents.stream().filter(e -> e.kind() == PeerEvent.Kind.DOWN)
                .map(e -> e.peer() + ": " + e.reason()).toList();
    }

    /** The endpoint changes reported, in order. */
    public List<EndpointChange> endpointChanges() {
        return peerEvents.stream().filter(e -> e.kind() == PeerEvent.Kind.ENDPOINT)
                .map(e -> new EndpointChange(e.peer(), e.endpoint())).toList();
    }

    /** How many times {@code peer} was reported up. */
    public long upCount(PublicKey peer) {
        return peerEvents(PeerEvent.Kind.UP, peer).size();
    }
}
