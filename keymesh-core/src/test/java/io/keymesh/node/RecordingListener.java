package io.keymesh.node;

import io.keymesh.crypto.PublicKey;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link NodeListener} that records everything a node reports, for tests: datagrams (copied),
 * peer up/down and endpoint changes, in arrival order. Written on the node's loop thread, read from
 * any thread.
 */
final class RecordingListener implements NodeListener {
    record Datagram(PublicKey from, byte[] data) {}

    record EndpointChange(PublicKey peer, InetSocketAddress endpoint) {}

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
