package io.keymesh.channel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The channels of one {@link ChannelConnection}: each a {@link SendStream} and a
 * {@link ReceiveStream} under one number, kept in the order they were opened. It writes the
 * channels' frames into packets — control frames, then data one frame per channel in turn
 * (round-robin, so no channel waits behind another) — and routes each sent packet's fate back to
 * the channels whose frames it carried. It holds the connection state's {@link ChannelLimits}: a
 * channel this side has not opened yet sends nothing until the peer's limit lets it open.
 *
 * <p>Not thread-safe; owned by its connection. A new table goes with a new connection state.
 */
final class ChannelTable {
    /** One channel: its two streams. */
    static final class Channel {
        final long id;
        final SendStream send;
        final ReceiveStream receive;
        boolean closedReported;
        /** Whether the peer's STREAM frames on this channel are coded: 0 none seen yet, 1 plain, 2 coded. */
        byte peerCoding;
        /** This side opened the channel: it wrote a STREAM or RESET_STREAM frame on it ({@link ChannelLimits}). */
        boolean opened;
        /** The peer opened the channel: a STREAM or RESET_STREAM frame of its arrived on it. */
        boolean peerOpened;

        Channel(long id, SendStream send, ReceiveStream receive) {
            this.id = id;
            this.send = send;
            this.receive = receive;
        }
    }

    private final ChannelConfig config;
    private final FlowControl.Send connectionSend;
    private final FlowControl.Receive connectionReceive;
    private final ChannelLimits.Send sendLimits;
    private final ChannelLimits.Receive receiveLimits;
    private final IncompleteMessages.Send incompleteSend;
    private final IncompleteMessages.Receive incompleteReceive;
    private final Map<Long, Channel> byId = new HashMap<>();
    /** The channel {@link #get} found last, while it is in {@link #byId}; or null. */
    private Channel lastFound;
    private final List<Channel> order = new ArrayList<>();
    /** Channel numbers that were used and finished on this connection: never opened again. */
    private final RetiredChannels retired;
    /** Set when a channel may have become finished both ways (its end reported or acknowledged). */
    private boolean mayRetire;
    private int roundRobin;

    /** {@code retired} is the connection's, empty: the table adds the numbers it retires. */
    ChannelTable(ChannelConfig config, FlowControl.Send connectionSend, FlowControl.Receive connectionReceive,
            RetiredChannels retired) {
        this.config = config;
        this.connectionSend = connectionSend;
        this.connectionReceive = connectionReceive;
        this.retired = retired;
        this.sendLimits = new ChannelLimits.Send(config.maxChannels());
        this.receiveLimits = new ChannelLimits.Receive(config.maxChannels());
        this.incompleteSend = new IncompleteMessages.Send(config.maxIncompleteBytes());
        this.incompleteReceive = new IncompleteMessages.Receive(config.maxIncompleteBytes());
    }

    /** Bytes of messages the peer is sending that are held incomplete on this side, over all channels. */
    long incompleteBytesHeld() {
        return incompleteReceive.held();
    }

    /** Bytes of messages this side started and the peer has not acknowledged in full, over all channels. */
    long incompleteBytesReserved() {
        return incompleteSend.reserved();
    }

    /** How many channels the peer lets this side open. */
    ChannelLimits.Send sendLimits() {
        return sendLimits;
    }

    /** How many channels this side lets the peer open. */
    ChannelLimits.Receive receiveLimits() {
        return receiveLimits;
    }

    /** True if {@code c} may write STREAM or RESET_STREAM frames: opened already, or the peer's limit lets it open. */
    private boolean mayWrite(Channel c) {
        return c.opened || sendLimits.canOpen();
    }

    /** {@code c} wrote a frame: if it is its first, the channel is opened and counts against the peer's limit. */
    private void wrote(Channel c) {
        if (!c.opened) {
            sendLimits.open();
            c.opened = true;
        }
    }

    /**
     * The channel {@code id}, or null. The last one found is kept aside: a burst of messages or
     * frames on one channel costs one map look-up (a boxed key and its equals) rather than one each.
     */
    Channel get(long id) {
        Channel last = lastFound;
        if (last != null && last.id == id) {
            return last;
        }
        Channel c = byId.get(id);
        if (c != null) {
            lastFound = c;
        }
        return c;
    }

    /** The channel {@code id}, created if new; {@code created[0]} says whether it was. */
    Channel getOrCreate(long id, boolean[] created) {
        Channel c = byId.get(id);
        created[0] = c == null;
        if (c == null) {
            SendStream send = new SendStream(id, config.sendBuffer(), config.maxMessage(), config.channelWindow(), connectionSend,
                    incompleteSend);
            ReceiveStream receive = new ReceiveStream(id, config.channelWindow(), config.maxMessage(), connectionReceive,
                    incompleteReceive);
            c = new Channel(id, send, receive);
            byId.put(id, c);
            order.add(c);
        }
        return c;
    }

    boolean isEmpty() {
        return order.isEmpty();
    }

    /** The peer's side of {@code c} ended and was reported: it may now be finished both ways. */
    void endReported(Channel c) {
        c.closedReported = true;
        mayRetire = true;
    }

    /** True if {@code id} was used and finished on this connection. */
    boolean isRetired(long id) {
        return retired.contains(id);
    }

    /**
     * Removes the channels that are finished both ways — our side closed with everything (and the
     * end) acknowledged, or reset and the reset acknowledged; the peer's side ended and all of it
     * delivered — and remembers their numbers, so that a late frame does not open them again.
     * A connection with many short-lived channels (one per Pekko association) keeps only the live ones.
     *
     * @param removed receives the numbers retired now
     */
    void retireFinished(List<Long> removed) {
        if (!mayRetire) {
            return; // nothing ended since the last look: no walk over the channels per packet
        }
        mayRetire = false;
        for (int i = order.size() - 1; i >= 0; i--) {
            Channel c = order.get(i);
            if (c.closedReported && c.send.isFinished() && c.receive.isFinished()) {
                order.remove(i);
                byId.remove(c.id);
                if (lastFound == c) {
                    lastFound = null;
                }
                retired.add(c.id);
                removed.add(c.id);
                if (c.peerOpened) {
                    receiveLimits.onRetired();
                }
            }
        }
        if (!removed.isEmpty()) {
            roundRobin = order.isEmpty() ? 0 : roundRobin % order.size();
        }
    }

    int size() {
        return order.size();
    }

    /** The channels in the order they were opened (do not modify). */
    List<Channel> inOrder() {
        return order;
    }

    /** True if no channel has data it may send (RFC 9002 section 7.8: the window is not being used). */
    boolean isApplicationLimited() {
        for (Channel c : order) {
            if (c.send.hasFrameToSend() && mayWrite(c)) {
                return false;
            }
        }
        return true;
    }

    /** True if some channel has data, or the end of its data, that the peer has not acknowledged. */
    boolean hasUnacknowledgedData() {
        for (Channel c : order) {
            if (c.send.bufferedBytes() > 0 || (c.send.isClosed() && !c.send.isFinished())) {
                return true;
            }
        }
        return false;
    }

    /** True if some channel has an ack-eliciting frame to send. */
    boolean hasWork() {
        for (Channel c : order) {
            if ((c.send.hasFrameToSend() || c.send.wantsResetFrame() || c.send.wantsBlockedFrame()) && mayWrite(c)
                    || c.receive.wantsMaxStreamDataFrame()) {
                return true;
            }
        }
        return false;
    }

    /** Writes the channels' MAX_STREAM_DATA, RESET_STREAM and STREAM_DATA_BLOCKED frames; returns the new position. */
    int writeControlFrames(byte[] out, int p, int end, SentFrames sent) {
        for (Channel c : order) {
            if (c.receive.wantsMaxStreamDataFrame()) {
                int n = c.receive.writeMaxStreamDataFrame(out, p, end - p);
                if (n > 0) {
                    sent.addMaxStreamData(c.id, c.receive.maxStreamData());
                    p += n;
                }
            }
            if (!mayWrite(c)) {
                continue;
            }
            if (c.send.wantsResetFrame()) {
                int n = c.send.writeResetFrame(out, p, end - p);
                if (n > 0) {
                    wrote(c);
                    sent.addReset(c.id);
                    p += n;
                }
            }
            if (c.send.wantsBlockedFrame()) {
                int n = c.send.writeBlockedFrame(out, p, end - p);
                if (n > 0) {
                    sent.addBlocked(c.id, c.send.peerMaxStreamData());
                    p += n;
                }
            }
        }
        return p;
    }

    /** Channel data, one frame per channel in turn, starting after the channel that went first last time. */
    int writeStreamFrames(byte[] out, int p, int end, SentFrames sent) {
        int n = order.size();
        boolean progress = true;
        while (progress && end - p > 8) {
            progress = false;
            for (int i = 0; i < n && end - p > 8; i++) {
                Channel c = order.get((roundRobin + i) % n);
                if (!c.send.hasFrameToSend() || !mayWrite(c)) {
                    continue;
                }
                int w = c.send.writeFrame(out, p, end - p);
                if (w > 0) {
                    wrote(c);
                    sent.addStream(c.id, c.send.lastFrameOffset(), c.send.lastFrameLength(), c.send.lastFrameFin());
                    p += w;
                    progress = true;
                }
            }
            roundRobin = n == 0 ? 0 : (roundRobin + 1) % n;
        }
        return p;
    }

    /** A packet carrying {@code f} was acknowledged; channels that can take a message again are added to {@code becameWritable}. */
    void onAcked(SentFrames f, List<Long> becameWritable) {
        for (int i = 0; i < f.streams; i++) {
            Channel c = byId.get(f.streamIds[i]);
            if (c != null) {
                c.send.onAcked(f.streamOffsets[i], f.streamLengths[i], f.streamFins[i]);
                mayRetire |= c.send.isClosed(); // its last data or its end may be acknowledged now
                if (c.send.pollWritable()) {
                    becameWritable.add(c.id);
                }
            }
        }
        for (int i = 0; i < f.resets; i++) {
            Channel c = byId.get(f.resetIds[i]);
            if (c != null) {
                c.send.onResetAcked();
                mayRetire = true;
            }
        }
    }

    /** A packet carrying {@code f} was declared lost: its channel frames are due again. */
    void onLost(SentFrames f) {
        for (int i = 0; i < f.streams; i++) {
            Channel c = byId.get(f.streamIds[i]);
            if (c != null) {
                c.send.onLost(f.streamOffsets[i], f.streamLengths[i], f.streamFins[i]);
            }
        }
        for (int i = 0; i < f.maxStreamData; i++) {
            Channel c = byId.get(f.maxStreamDataIds[i]);
            if (c != null) {
                c.receive.onMaxStreamDataLost(f.maxStreamDataValues[i]);
            }
        }
        for (int i = 0; i < f.blocked; i++) {
            Channel c = byId.get(f.blockedIds[i]);
            if (c != null) {
                c.send.onBlockedLost(f.blockedLimits[i]);
            }
        }
        for (int i = 0; i < f.resets; i++) {
            Channel c = byId.get(f.resetIds[i]);
            if (c != null) {
                c.send.onResetLost();
            }
        }
    }
}
