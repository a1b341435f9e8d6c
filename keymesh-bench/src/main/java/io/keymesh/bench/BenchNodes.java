package io.keymesh.bench;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.Channel;
import io.keymesh.node.MeshNode;
import io.keymesh.node.NodeConfig;
import io.keymesh.node.NodeListener;
import io.keymesh.node.PeerConfig;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Two {@code MeshNode}s on loopback for the end-to-end comparisons ({@link EndToEnd}): a pair that
 * knows each other, a listener that counts what arrives, and a send that waits out back-pressure.
 */
final class BenchNodes {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final SecureRandom RANDOM = new SecureRandom();

    private BenchNodes() {}


    /** A listener whose handlers can be replaced between trials. */
    static final class Events implements NodeListener {
        interface DatagramHandler {
            void on(byte[] data, int off, int len);
        }

        interface MessageHandler {
            void on(long channelId, byte[] message);
        }

        volatile DatagramHandler datagram = (d, o, l) -> {};
        volatile MessageHandler message = (c, m) -> {};
        volatile Thread writableWaiter;
        final AtomicLong writableSignals = new AtomicLong();
        final CountDownLatch up = new CountDownLatch(1);
        volatile String lost;

        @Override
        public void onDatagram(PublicKey from, byte[] data, int off, int len) {
            datagram.on(data, off, len);
        }

        @Override
        public void onMessage(PublicKey from, long channelId, byte[] m) {
            message.on(channelId, m);
        }

        @Override
        public void onChannelWritable(PublicKey peer, long channelId) {
            writableSignals.incrementAndGet();
            Thread t = writableWaiter;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }

        @Override
        public void onPeerUp(PublicKey peer) {
            up.countDown();
        }

        @Override
        public void onChannelsLost(PublicKey peer, String reason) {
            lost = reason;
        }
    }

    /** Two connected nodes on 127.0.0.1; closed after each trial so each trial has fresh state. */
    static final class Pair implements AutoCloseable {
        final MeshNode a;
        final MeshNode b;
        final Events ea = new Events();
        final Events eb = new Events();

        Pair() throws Exception {
            PrivateKey ka = PrivateKey.generate(RANDOM);
            PrivateKey kb = PrivateKey.generate(RANDOM);
            PresharedKey net = PresharedKey.generate(RANDOM);
            a = MeshNode.start(NodeConfig.of(ka, new InetSocketAddress(LOOPBACK, 0), net), ea);
            b = MeshNode.start(NodeConfig.of(kb, new InetSocketAddress(LOOPBACK, 0), net)
                    .withPeers(List.of(PeerConfig.of(ka.publicKey(), a.localAddress()))), eb);
            a.addPeer(PeerConfig.of(kb.publicKey(), b.localAddress())).get(5, TimeUnit.SECONDS);
            a.connect(kb.publicKey()).get(5, TimeUnit.SECONDS);
            if (!ea.up.await(10, TimeUnit.SECONDS) || !eb.up.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no handshake between the two nodes within 10 s");
            }
        }

        @Override
        public void close() {
            a.close();
            b.close();
        }
    }

    /** Sends on {@code c}, parking until {@code onChannelWritable} while it is full; false if the deadline passed. */
    static boolean sendBlocking(Channel c, Events e, byte[] m, long deadline) {
        while (!c.send(m)) {
            e.writableWaiter = Thread.currentThread();
            if (!c.isWritable(m.length)) {
                LockSupport.parkNanos(1_000_000);
            }
            e.writableWaiter = null;
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            if (c.lostReason() != null) {
                throw new IllegalStateException("channel lost: " + c.lostReason());
            }
        }
        return true;
    }
}
