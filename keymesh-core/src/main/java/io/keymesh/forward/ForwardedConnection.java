package io.keymesh.forward;

import io.keymesh.crypto.PublicKey;
import io.keymesh.node.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One forwarded TCP connection: a socket and the channel that carries its two byte streams to the
 * peer ({@link ForwardMessage} describes the protocol). The opener is the side whose listener
 * accepted the socket; the responder connected to the target after the opener's OPEN.
 *
 * <p><b>Threads.</b> Two virtual threads pump once the connection is up: the reader (socket →
 * DATA, at most the credit the peer granted, then EOF at the socket's end) and the writer (DATA →
 * socket, granting WINDOW for what it wrote; EOF → {@code shutdownOutput}). The node's loop thread
 * only hands messages in ({@link #onMessage}, {@link #onWritable}, {@link #onPeerEnded}) under a
 * short lock and never blocks; what closes a socket runs on the forwarder's threads. Channel sends
 * are serialised by {@link #sendLock}, so nothing is sent after our side ended.
 *
 * <p><b>Memory.</b> The peer may send at most the window this side grants, and this side grants
 * only what its writer has written to the socket: a connection holds at most {@code window} bytes
 * received, plus one chunk read and not yet taken by the channel. A peer that sends more breaks
 * the protocol: the connection is reset.
 *
 * <p><b>Ends.</b> Clean: each side closes the channel once it has sent EOF and received one, and
 * the socket once both directions are done. Abrupt: a TCP reset, a protocol error, the peer's
 * reset, a lost connection to the peer, the forwarder closing — the socket is closed with a TCP
 * reset (SO_LINGER 0) and our side of the channel reset with a code ({@link #RESET_TCP}...).
 */
final class ForwardedConnection {
    private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
    /** The most bytes one DATA message carries. */
    static final int CHUNK = 32 << 10;
    /** Channel reset codes: a TCP reset on the other side (or an I/O error there). */
    static final long RESET_TCP = 1;
    /** The other side broke the forwarding protocol. */
    static final long RESET_PROTOCOL = 2;
    /** The other side's forwarder is closing. */
    static final long RESET_CLOSING = 3;
    /** The opener gave up waiting for an answer. */
    static final long RESET_TIMEOUT = 4;
    /** Marks the peer's EOF in {@link #inbound}. */
    private static final byte[] EOF_MARK = new byte[0];

    private final Forwarder owner;
    private final ForwardCounters counters;
    final PublicKey peer;
    final long channelId;
    final boolean opener;
    /** For logs: what this connection is. */
    final String name;
    /** What this side grants the peer: its most bytes in flight towards us. */
    private final long window;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // guarded by lock
    private final ArrayDeque<byte[]> inbound = new ArrayDeque<>();
    private long sendCredit;
    private long peerCredit;
    private long toGrant;
    private long writableEvents;
    private boolean answered;
    private boolean eofSent;
    private boolean eofReceived;
    private boolean readerDone;
    private boolean writerDone;
    /** Ended abruptly or refused: no more pumping. */
    private boolean over;
    private boolean peerEnded;
    private boolean forgotten;
    /** Refused or reset at the peer's first message: no socket, only the peer's end awaited. */
    private volatile boolean refusal;
    private Socket socket;
    private boolean socketClosed;

    /** What the local client is told of the peer's answer first (SOCKS5), or null. Set before OPEN. */
    private volatile AnswerHook hook;

    private final Object sendLock = new Object();
    private Channel channel; // guarded by sendLock
    private boolean channelEnded; // guarded by sendLock
    private long endCode = -1; // guarded by sendLock: how our side ended before the channel was attached

    ForwardedConnection(Forwarder owner, PublicKey peer, long channelId, boolean opener, String name, long window) {
        this.owner = owner;
        this.counters = owner.counters;
        this.peer = peer;
        this.channelId = channelId;
        this.opener = opener;
        this.name = name;
        this.window = window;
        this.peerCredit = window;
    }

    // ------------------------------------------------------------------ setting up (forwarder's threads)

    /** The channel, once obtained from the node; an end decided before is applied to it now. */
    void attach(Channel c) {
        synchronized (sendLock) {
            channel = c;
            if (channelEnded && endCode >= 0) {
                end(c, endCode);
            }
        }
    }

    /** The opener's socket (counted active from now). */
    void attachSocket(Socket s) {
        lock.lock();
        try {
            socket = s;
        } finally {
            lock.unlock();
        }
        counters.active.incrementAndGet();
    }

    /** Opener: the local client is told the peer's answer through {@code h} before any stream byte. */
    void answerHook(AnswerHook h) {
        hook = h;
    }

    /** Opener: sends OPEN. False if the connection ended meanwhile. */
    boolean sendOpen(ForwardMessage.Open open) {
        return sendOrWait(open.encode());
    }

    /** Opener: no answer came in time. */
    void openTimedOut(long timeoutMillis) {
        lock.lock();
        try {
            if (answered || over) {
                return;
            }
        } finally {
            lock.unlock();
        }
        abort("no answer from the peer within " + timeoutMillis + " ms", RESET_TIMEOUT);
    }

    /**
     * Responder: the TCP connection to the target is up. Sends ACCEPT and starts pumping; closes
     * {@code s} instead if the connection ended meanwhile (the opener gave up).
     *
     * @param openerWindow what the opener granted in its OPEN
     */
    void connected(Socket s, long openerWindow) {
        lock.lock();
        try {
            if (over) {
                Sockets.reset(s);
                return;
            }
            socket = s;
            answered = true;
            sendCredit = openerWindow;
        } finally {
            lock.unlock();
        }
        counters.active.incrementAndGet();
        counters.opened.incrementAndGet();
        if (sendOrWait(new ForwardMessage.Accept(window).encode())) {
            startPumps();
        }
    }

    /** Responder: refuses (REFUSE, then our side closed). */
    void refuse(RefuseReason reason, String text) {
        lock.lock();
        try {
            if (over) {
                return;
            }
            over = true;
            answered = true;
        } finally {
            lock.unlock();
        }
        counters.refused(reason);
        sendOrWaitIgnoringOver(new ForwardMessage.Refuse(reason, text).encode());
        endChannel(0);
        maybeForget();
    }

    private void startPumps() {
        Thread.ofVirtual().name("keymesh-forward-read-" + channelId).start(this::readLoop);
        Thread.ofVirtual().name("keymesh-forward-write-" + channelId).start(this::writeLoop);
    }

    // ------------------------------------------------------------------ the pumps

    private void readLoop() {
        Socket s = socket();
        byte[] buf = new byte[CHUNK];
        try {
            InputStream in = s.getInputStream();
            while (true) {
                long credit = awaitCredit();
                if (credit <= 0) {
                    return;
                }
                int n = in.read(buf, 0, (int) Math.min(credit, CHUNK));
                if (n < 0) {
                    break;
                }
                byte[] m = ForwardMessage.data(buf, 0, n);
                lock.lock();
                try {
                    sendCredit -= n;
                } finally {
                    lock.unlock();
                }
                counters.buffered.addAndGet(n);
                boolean sent = sendOrWait(m);
                counters.buffered.addAndGet(-n);
                if (!sent) {
                    return;
                }
                counters.bytesToPeers.addAndGet(n);
            }
        } catch (IOException e) {
            abort("the TCP connection failed: " + e.getMessage(), RESET_TCP);
            return;
        }
        if (!sendOrWait(new ForwardMessage.Eof().encode())) {
            return;
        }
        lock.lock();
        try {
            eofSent = true;
            readerDone = true;
        } finally {
            lock.unlock();
        }
        maybeCloseChannel();
        maybeCloseSocket();
    }

    /** The credit to send with, waiting while there is none; 0 if the connection is over. */
    private long awaitCredit() {
        lock.lock();
        try {
            if (sendCredit == 0 && !over) {
                counters.waitingForWindow.incrementAndGet();
                try {
                    while (sendCredit == 0 && !over) {
                        changed.awaitUninterruptibly();
                    }
                } finally {
                    counters.waitingForWindow.decrementAndGet();
                }
            }
            return over ? 0 : sendCredit;
        } finally {
            lock.unlock();
        }
    }

    private void writeLoop() {
        Socket s = socket();
        try {
            AnswerHook h = hook;
            if (h != null && opener) {
                h.accepted(s);
            }
            OutputStream out = s.getOutputStream();
            while (true) {
                byte[] m;
                lock.lock();
                try {
                    while (inbound.isEmpty() && !over) {
                        changed.awaitUninterruptibly();
                    }
                    if (over) {
                        return;
                    }
                    m = inbound.peek(); // still counted as buffered while it is written
                } finally {
                    lock.unlock();
                }
                if (m == EOF_MARK) {
                    s.shutdownOutput();
                    lock.lock();
                    try {
                        inbound.poll();
                        writerDone = true;
                    } finally {
                        lock.unlock();
                    }
                    maybeCloseSocket();
                    return;
                }
                int n = m.length - 1;
                out.write(m, 1, n);
                long grant = 0;
                lock.lock();
                try {
                    if (over) {
                        return; // the abort dropped the queue and its count
                    }
                    inbound.poll();
                    counters.buffered.addAndGet(-n);
                    toGrant += n;
                    if (toGrant >= window / 4 && !eofReceived) {
                        grant = toGrant;
                        toGrant = 0;
                        peerCredit += grant;
                    }
                } finally {
                    lock.unlock();
                }
                counters.bytesFromPeers.addAndGet(n);
                if (grant > 0 && !sendOrWait(new ForwardMessage.Window(grant).encode())) {
                    return;
                }
            }
        } catch (IOException e) {
            abort("the TCP connection failed: " + e.getMessage(), RESET_TCP);
        }
    }

    // ------------------------------------------------------------------ the channel

    /**
     * Sends {@code m}, waiting while the channel refuses it ({@link #onWritable} wakes us).
     *
     * @return false if the connection is over or our side of the channel has ended
     */
    private boolean sendOrWait(byte[] m) {
        while (true) {
            long generation;
            lock.lock();
            try {
                if (over) {
                    return false;
                }
                generation = writableEvents;
            } finally {
                lock.unlock();
            }
            Boolean taken = trySend(m);
            if (taken == null) {
                return false;
            }
            if (taken) {
                return true;
            }
            awaitWritable(generation);
        }
    }

    /** {@link #sendOrWait} for a REFUSE, which is sent when the connection is already over. */
    private void sendOrWaitIgnoringOver(byte[] m) {
        for (int i = 0; i < 100; i++) {
            long generation;
            lock.lock();
            try {
                generation = writableEvents;
            } finally {
                lock.unlock();
            }
            Boolean taken = trySend(m);
            if (taken == null || taken) {
                return;
            }
            awaitWritable(generation);
        }
    }

    private void awaitWritable(long generation) {
        lock.lock();
        try {
            while (writableEvents == generation && !over) {
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /** True if the channel took {@code m}, false if it is full, null if it cannot take anything any more. */
    private Boolean trySend(byte[] m) {
        String lost;
        synchronized (sendLock) {
            if (channelEnded || channel == null) {
                return channel == null && !channelEnded ? Boolean.FALSE : null;
            }
            try {
                return channel.send(m);
            } catch (IllegalStateException e) {
                lost = e.getMessage();
            }
        }
        abort("the channel to the peer is gone: " + lost, 0);
        return null;
    }

    /** Ends our side of the channel: closed ({@code code} 0) or reset; once. */
    private void endChannel(long code) {
        synchronized (sendLock) {
            if (channelEnded) {
                return;
            }
            channelEnded = true;
            if (channel == null) {
                endCode = code;
            } else {
                end(channel, code);
            }
        }
    }

    private static void end(Channel c, long code) {
        if (code == 0) {
            c.close();
        } else {
            c.reset(code);
        }
    }

    private boolean channelEnded() {
        synchronized (sendLock) {
            return channelEnded;
        }
    }

    private void maybeCloseChannel() {
        lock.lock();
        try {
            if (!eofSent || !eofReceived || over) {
                return;
            }
        } finally {
            lock.unlock();
        }
        endChannel(0);
        maybeForget();
    }

    // ------------------------------------------------------------------ node events (loop thread)

    /** A message from the peer on this connection's channel. Loop thread; never blocks. */
    void onMessage(byte[] m) {
        lock.lock();
        try {
            if (over) {
                counters.stray.incrementAndGet(); // in flight when the connection ended
                return;
            }
        } finally {
            lock.unlock();
        }
        ForwardMessage msg;
        try {
            msg = ForwardMessage.decode(m);
        } catch (IllegalArgumentException e) {
            protocolError(e.getMessage());
            return;
        }
        switch (msg) {
            case ForwardMessage.Data d -> onData(d);
            case ForwardMessage.Window w -> onWindow(w.increment());
            case ForwardMessage.Eof e -> onEof();
            case ForwardMessage.Accept a when opener -> onAccept(a);
            case ForwardMessage.Refuse r when opener -> onRefuse(r);
            default -> protocolError("unexpected " + msg.getClass().getSimpleName().toUpperCase(java.util.Locale.ROOT));
        }
    }

    private void onData(ForwardMessage.Data d) {
        String error = null;
        lock.lock();
        try {
            if (over) {
                counters.stray.incrementAndGet();
                return;
            }
            int n = d.length();
            if (opener && !answered) {
                error = "DATA before ACCEPT";
            } else if (eofReceived) {
                error = "DATA after EOF";
            } else if (n > peerCredit) {
                error = "DATA of " + n + " bytes with " + peerCredit + " granted";
            } else {
                peerCredit -= n;
                inbound.add(d.message());
                counters.buffered.addAndGet(n);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (error != null) {
            protocolError(error);
        }
    }

    private void onWindow(long increment) {
        String error = null;
        lock.lock();
        try {
            if (over) {
                return;
            }
            if (opener && !answered) {
                error = "WINDOW before ACCEPT";
            } else if (sendCredit + increment > 2 * ForwardMessage.MAX_WINDOW) {
                error = "WINDOW beyond any window: " + (sendCredit + increment);
            } else {
                sendCredit += increment;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (error != null) {
            protocolError(error);
        }
    }

    private void onEof() {
        String error = null;
        lock.lock();
        try {
            if (over) {
                return;
            }
            if (eofReceived || (opener && !answered)) {
                error = eofReceived ? "a second EOF" : "EOF before ACCEPT";
            } else {
                eofReceived = true;
                inbound.add(EOF_MARK);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (error != null) {
            protocolError(error);
        } else {
            owner.execute(this::maybeCloseChannel);
        }
    }

    private void onAccept(ForwardMessage.Accept a) {
        lock.lock();
        try {
            if (over) {
                return;
            }
            if (!answered) {
                answered = true;
                sendCredit = a.window();
            } else {
                a = null;
            }
        } finally {
            lock.unlock();
        }
        if (a == null) {
            protocolError("a second ACCEPT");
            return;
        }
        counters.opened.incrementAndGet();
        log.debug("{}: accepted", name);
        startPumps();
    }

    private void onRefuse(ForwardMessage.Refuse r) {
        boolean first;
        lock.lock();
        try {
            if (over) {
                return;
            }
            first = !answered;
            if (first) {
                answered = true;
                over = true;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (!first) {
            protocolError("REFUSE after ACCEPT");
            return;
        }
        counters.refused(r.reason());
        log.info("{}: refused by the peer: {}{}", name, r.reason().text(), r.text().isEmpty() ? "" : " (" + r.text() + ")");
        owner.execute(() -> {
            tellRefusal(r.reason());
            endChannel(0);
            maybeForget();
        });
    }

    /** The channel took more after refusing a message. Loop thread. */
    void onWritable() {
        lock.lock();
        try {
            writableEvents++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The peer ended its side of the channel: closed ({@code errorCode} 0) or reset. Loop thread. */
    void onPeerEnded(long errorCode) {
        boolean clean;
        lock.lock();
        try {
            peerEnded = true;
            clean = over || eofReceived;
        } finally {
            lock.unlock();
        }
        if (errorCode != 0) {
            owner.execute(() -> {
                abort("reset by the peer (" + resetText(errorCode) + ")", errorCode);
                maybeForget(); // also when it was over before
            });
        } else if (!clean) {
            protocolError("the peer closed the channel before its EOF");
        } else {
            owner.execute(this::maybeForget);
        }
    }

    /** The connection to the peer was lost ({@code reason}): the channel is gone. Any thread. */
    void onLost(String reason) {
        lock.lock();
        try {
            peerEnded = true;
        } finally {
            lock.unlock();
        }
        abort(reason, 0);
    }

    private void protocolError(String why) {
        counters.malformed.incrementAndGet();
        owner.execute(() -> abort("protocol error by the peer: " + why, RESET_PROTOCOL));
    }

    // ------------------------------------------------------------------ ending

    /**
     * Ends the connection abruptly: the socket closed with a TCP reset, our side of the channel
     * reset with {@code code} (0: not reset, the channel is gone anyway), counted and logged with
     * {@code why}. Once; any thread but the node's loop (it closes a socket).
     */
    void abort(String why, long code) {
        boolean unanswered;
        lock.lock();
        try {
            if (over) {
                return;
            }
            over = true;
            unanswered = opener && !answered;
            long dropped = 0;
            for (byte[] m : inbound) {
                dropped += m == EOF_MARK ? 0 : m.length - 1;
            }
            inbound.clear();
            counters.buffered.addAndGet(-dropped);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (code != 0) {
            endChannel(code);
        } else {
            synchronized (sendLock) {
                if (!channelEnded) {
                    channelEnded = true;
                    endCode = 0; // a handle obtained after this (a task that raced the loss) is closed at once
                }
            }
        }
        if (unanswered && hook != null) {
            tellRefusal(null);
        } else {
            closeSocket(true);
        }
        counters.reset.incrementAndGet();
        if (code == RESET_CLOSING) {
            log.debug("{}: closed: {}", name, why);
        } else {
            log.info("{}: closed: {}", name, why);
        }
        maybeForget();
    }

    /**
     * Closes the socket of a connection the peer refused ({@code reason}) or never answered (null):
     * with a TCP reset, or after the hook's reply, normally (a reset could discard the reply).
     */
    private void tellRefusal(RefuseReason reason) {
        AnswerHook h = hook;
        Socket s = socket();
        if (h == null || s == null) {
            closeSocket(true);
            return;
        }
        try {
            h.refused(s, reason);
        } catch (IOException e) {
            // the client is gone: nothing to tell
        }
        closeSocket(false);
    }

    private void maybeCloseSocket() {
        lock.lock();
        try {
            if (!readerDone || !writerDone || over) {
                return;
            }
        } finally {
            lock.unlock();
        }
        closeSocket(false);
        log.debug("{}: done", name);
        maybeForget();
    }

    /** Closes the socket once (with a TCP reset if {@code reset}), and counts it inactive. */
    private void closeSocket(boolean reset) {
        Socket s;
        lock.lock();
        try {
            if (socketClosed || socket == null) {
                socketClosed = true;
                return;
            }
            socketClosed = true;
            s = socket;
        } finally {
            lock.unlock();
        }
        if (reset) {
            Sockets.reset(s);
        } else {
            Sockets.close(s);
        }
        counters.active.decrementAndGet();
    }

    /**
     * Leaves the forwarder's table once both sides of the channel have ended (or the connection to
     * the peer is lost) and the socket is closed.
     */
    private void maybeForget() {
        lock.lock();
        try {
            boolean opened = answered || !opener; // an opener's OPEN may never have reached the peer
            if (forgotten || !(peerEnded || over && !opened) || socket != null && !socketClosed) {
                return;
            }
            if (!channelEnded()) {
                return;
            }
            forgotten = true;
        } finally {
            lock.unlock();
        }
        owner.forget(this);
    }

    private Socket socket() {
        lock.lock();
        try {
            return socket;
        } finally {
            lock.unlock();
        }
    }

    /** Marks a connection refused or reset at its first message (before it enters the forwarder's table). */
    void markRefusal() {
        refusal = true;
    }

    /** True if refused or reset at the peer's first message: it carries no socket. */
    boolean isRefusal() {
        return refusal;
    }

    /** True once the connection will pump nothing more (for the forwarder's table). */
    boolean isOver() {
        lock.lock();
        try {
            return over || (readerDone && writerDone);
        } finally {
            lock.unlock();
        }
    }

    static String resetText(long code) {
        return switch ((int) Math.min(code, Integer.MAX_VALUE)) {
            case 1 -> "TCP reset on its side";
            case 2 -> "it saw a protocol error";
            case 3 -> "its forwarder is closing";
            case 4 -> "it gave up waiting for an answer";
            default -> "error " + code;
        };
    }

    @Override
    public String toString() {
        return name;
    }
}
