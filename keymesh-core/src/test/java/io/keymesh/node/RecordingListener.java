package io.keymesh.node;

import io.keymesh.crypto.PublicKey;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link NodeListener} that records everything a node reports, for tests: datagrams (copied),
 * peer up/down and endpoint changes, channel messages and channel events, in arrival order.
 * Written on the node's loop thread, read from any thread.
 *
 * <p>Channel messages are kept in {@link #messages} unless a {@link #messageSink} is set (for bulk
 * transfers that check messages as they come instead of keeping them). Each
 * {@link #onChannelWritable} releases one permit of that channel's {@link #writableSignal}.
 */
final class RecordingListener implements NodeListener {
    record Datagram(PublicKey from, byte[] data) {}

    record EndpointChange(PublicKey peer, InetSocketAddress endpoint) {}

    record Message(PublicKey from, long channelId, byte[] data) {}

    record ChannelRef(PublicKey peer, long channelId) {}

    /** {@code messagesBefore}: channel messages (from any peer, any channel) received before this event. */
    record ChannelClosed(PublicKey peer, long channelId, long errorCode, int messagesBefore) {}

    record ChannelsLost(PublicKey peer, String reason) {}

    /** Takes channel messages on the loop thread instead of {@link #messages}; must not block. */
    @FunctionalInterface
    interface MessageSink {
        void onMessage(PublicKey from, long channelId, byte[] message);
    }

    final ConcurrentLinkedQueue<Message> messages = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<ChannelRef> channelsOpened = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<ChannelClosed> channelsClosed = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<ChannelsLost> channelsLost = new ConcurrentLinkedQueue<>();
    /** Where channel messages go instead of {@link #messages}, if set. */
    volatile MessageSink messageSink;
    private final Map<ChannelRef, Semaphore> writable = new ConcurrentHashMap<>();
    private final AtomicInteger messageCount = new AtomicInteger();

    final ConcurrentLinkedQueue<Datagram> datagrams = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<PublicKey> peersUp = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> peersDown = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<EndpointChange> endpointChanges = new ConcurrentLinkedQueue<>();
    private final AtomicInteger datagramCount = new AtomicInteger();

    @Override
    public void onDatagram(PublicKey from, byte[] data, int off, int len) {
        datagrams.add(new Datagram(from, Arrays.copyOfRange(data, off, off + len)));
        datagramCount.incrementAndGet();
    }

    @Override
    public void onPeerUp(PublicKey peer) {
        peersUp.add(peer);
    }

    @Override
    public void onPeerDown(PublicKey peer, String reason) {
        peersDown.add(peer + ": " + reason);
    }

    @Override
    public void onEndpointChanged(PublicKey peer, InetSocketAddress endpoint) {
        endpointChanges.add(new EndpointChange(peer, endpoint));
    }

    @Override
    public void onMessage(PublicKey from, long channelId, byte[] message) {
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
        writableSignal(peer, channelId).release();
    }

    @Override
    public void onChannelClosed(PublicKey peer, long channelId, long errorCode) {
        channelsClosed.add(new ChannelClosed(peer, channelId, errorCode, messageCount.get()));
    }

    @Override
    public void onChannelsLost(PublicKey peer, String reason) {
        channelsLost.add(new ChannelsLost(peer, reason));
    }

    /** A permit per {@link #onChannelWritable} for that channel. */
    Semaphore writableSignal(PublicKey peer, long channelId) {
        return writable.computeIfAbsent(new ChannelRef(peer, channelId), k -> new Semaphore(0));
    }

    /** Channel messages received so far (kept or given to the sink). */
    int messageCount() {
        return messageCount.get();
    }

    /** The messages kept from {@code from} on {@code channelId}, in order. */
    List<byte[]> messages(PublicKey from, long channelId) {
        return messages.stream().filter(m -> m.from().equals(from) && m.channelId() == channelId)
                .map(Message::data).toList();
    }

    /** Datagrams received so far. */
    int datagramCount() {
        return datagramCount.get();
    }

    /** The datagrams received from {@code from}, in order. */
    List<byte[]> from(PublicKey from) {
        return datagrams.stream().filter(d -> d.from().equals(from)).map(Datagram::data).toList();
    }

    /** How many times {@code peer} was reported up. */
    long upCount(PublicKey peer) {
        return peersUp.stream().filter(peer::equals).count();
    }
}
