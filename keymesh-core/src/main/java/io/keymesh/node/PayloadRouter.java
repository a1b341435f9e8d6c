package io.keymesh.node;

import io.keymesh.crypto.PublicKey;
import io.keymesh.session.Endpoint;
import io.keymesh.wire.InnerPayload;
import io.keymesh.wire.MeshFrame;
import java.util.Map;

/**
 * Routes each payload a session delivers, classified once, to the part that registered for it: a
 * payload whose first frame has a {@linkplain #registerPayload payload handler} goes to it whole if
 * it comes from a current peer (channel packets, first frame {@link MeshFrame#PACKET}); any other
 * payload is walked frame by frame and each frame goes to its {@linkplain #registerFrame frame
 * handler} ({@link MeshFrame#DATAGRAM}). IP packets are ignored; frames nobody registered for and
 * malformed payloads are dropped; all three are counted.
 *
 * <p>Loop thread only; handlers are registered before the node starts. Routing allocates nothing:
 * one visitor, made once, walks every payload's frames (re-entrant: a handler may route too).
 */
final class PayloadRouter {
    /** Takes a payload, or one frame's body, received from a peer. Loop thread. */
    @FunctionalInterface
    interface Handler {
        /**
         * {@code b[off..off+len)} came from {@code from}; {@code state} is its node-side state, null
         * if it is no longer a peer of the node (never null for a payload handler). The bytes are
         * valid only during the call.
         */
        void receive(PublicKey from, PeerState state, byte[] b, int off, int len);
    }

    private final Map<PublicKey, PeerState> peers;
    private final Handler[] payloadHandlers = new Handler[256];
    private final Handler[] frameHandlers = new Handler[256];
    private final MeshFrame.Visitor walk = this::frame;
    /** The payload being walked: its sender, the sender's state and where it came from (null between walks). */
    private PublicKey from;
    private PeerState state;
    private Endpoint endpoint;
    private long unknownFrames;
    private long malformedPayloads;
    private long ipPacketsIgnored;

    PayloadRouter(Map<PublicKey, PeerState> peers) {
        this.peers = peers;
    }

    /** Payloads from a peer whose first frame is of {@code firstFrameType} go whole to {@code handler}. */
    void registerPayload(int firstFrameType, Handler handler) {
        register(payloadHandlers, firstFrameType, handler);
    }

    /** Frames of {@code frameType} in other payloads go to {@code handler}, one call per frame. */
    void registerFrame(int frameType, Handler handler) {
        register(frameHandlers, frameType, handler);
    }

    private static void register(Handler[] handlers, int type, Handler handler) {
        if (!MeshFrame.isValidType(type)) {
            throw new IllegalArgumentException("not a frame type: " + type);
        }
        if (handlers[type] != null) {
            throw new IllegalStateException("frame type " + type + " has a handler already");
        }
        handlers[type] = handler;
    }

    /**
     * A decrypted, non-empty payload from {@code peer} of the {@link InnerPayload} {@code kind} the
     * session layer found ({@link io.keymesh.session.SessionEvents#deliver}).
     */
    void route(PublicKey peer, int kind, byte[] payload, int off, int len) {
        route(peer, null, kind, payload, off, len);
    }

    /** As {@link #route(PublicKey, int, byte[], int, int)}, for a payload that came from {@code source}. */
    void route(PublicKey peer, Endpoint source, int kind, byte[] payload, int off, int len) {
        if (kind != InnerPayload.MESH_FRAMES) {
            ipPacketsIgnored++;
            return;
        }
        PeerState s = peers.get(peer);
        if (s != null) {
            Handler whole = payloadHandlers[payload[off] & 0xff];
            if (whole != null) {
                whole.receive(peer, s, payload, off, len);
                return;
            }
        }
        PublicKey outerFrom = from; // a handler may route a payload of its own meanwhile
        PeerState outerState = state;
        Endpoint outerEndpoint = endpoint;
        from = peer;
        state = s;
        endpoint = source;
        boolean ok;
        try {
            ok = MeshFrame.forEach(payload, off, len, walk);
        } finally {
            from = outerFrom;
            state = outerState;
            endpoint = outerEndpoint;
        }
        if (!ok) {
            malformedPayloads++;
        }
    }

    /** Where the payload being walked came from (for its frame handlers), or null. */
    Endpoint source() {
        return endpoint;
    }

    /** {@link #route}'s frame walk: one frame of the payload from {@link #from}. */
    private void frame(int type, byte[] b, int bodyOff, int bodyLen) {
        Handler h = frameHandlers[type];
        if (h != null) {
            h.receive(from, state, b, bodyOff, bodyLen);
        } else {
            unknownFrames++;
        }
    }

    /** {@link MeshNode#frameCounters()}: unknown frames, malformed payloads, ignored IP packets. */
    long[] counters() {
        return new long[] {unknownFrames, malformedPayloads, ipPacketsIgnored};
    }
}
