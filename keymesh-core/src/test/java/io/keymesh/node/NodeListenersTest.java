package io.keymesh.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.keymesh.crypto.PublicKey;
import io.keymesh.testing.TestKeys;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link NodeListeners} passes every event to every listener, in order. */
class NodeListenersTest {
    /** Records "name:event" for each call. */
    private record Recorder(String name, List<String> calls) implements NodeListener {
        @Override
        public void onDatagram(PublicKey from, byte[] data, int off, int len) {
            calls.add(name + ":datagram");
        }

        @Override
        public void onPeerUp(PublicKey peer) {
            calls.add(name + ":up");
        }

        @Override
        public void onPeerDown(PublicKey peer, String reason) {
            calls.add(name + ":down");
        }

        @Override
        public void onPeerUnreachable(PublicKey peer, String reason) {
            calls.add(name + ":unreachable");
        }

        @Override
        public void onEndpointChanged(PublicKey peer, java.net.InetSocketAddress endpoint) {
            calls.add(name + ":endpoint");
        }

        @Override
        public void onPathChanged(PublicKey peer, PathInfo path) {
            calls.add(name + ":path");
        }

        @Override
        public void onMessage(PublicKey from, long channelId, byte[] message) {
            calls.add(name + ":message");
        }

        @Override
        public void onChannelOpened(PublicKey from, long channelId) {
            calls.add(name + ":opened");
        }

        @Override
        public void onChannelWritable(PublicKey peer, long channelId) {
            calls.add(name + ":writable");
        }

        @Override
        public void onChannelClosed(PublicKey peer, long channelId, long errorCode) {
            calls.add(name + ":closed");
        }

        @Override
        public void onChannelsLost(PublicKey peer, String reason) {
            calls.add(name + ":lost");
        }
    }

    @Test
    void everyEventReachesEachListenerInOrder() {
        List<String> calls = new ArrayList<>();
        NodeListener both = NodeListeners.of(new Recorder("a", calls), new Recorder("b", calls));
        PublicKey k = TestKeys.newKey().publicKey();
        both.onDatagram(k, new byte[1], 0, 1);
        both.onPeerUp(k);
        both.onPeerDown(k, "r");
        both.onPeerUnreachable(k, "r");
        both.onEndpointChanged(k, null);
        both.onPathChanged(k, null);
        both.onMessage(k, 1, new byte[0]);
        both.onChannelOpened(k, 1);
        both.onChannelWritable(k, 1);
        both.onChannelClosed(k, 1, 0);
        both.onChannelsLost(k, "r");
        List<String> expected = new ArrayList<>();
        for (String e : List.of("datagram", "up", "down", "unreachable", "endpoint", "path", "message", "opened", "writable",
                "closed", "lost")) {
            expected.add("a:" + e);
            expected.add("b:" + e);
        }
        assertEquals(expected, calls);
    }

    /** A new event in NodeListener must be passed on too. */
    @Test
    void everyListenerMethodIsOverridden() throws Exception {
        for (Method m : NodeListener.class.getDeclaredMethods()) {
            if (!Modifier.isStatic(m.getModifiers())) {
                assertEquals(NodeListeners.class, NodeListeners.class.getMethod(m.getName(), m.getParameterTypes()).getDeclaringClass(),
                        m.getName());
            }
        }
    }

    @Test
    void oneListenerIsItself() {
        NodeListener one = new Recorder("a", new ArrayList<>());
        assertSame(one, NodeListeners.of(one));
    }
}
