package io.keymesh.forward;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The messages of the forwarding protocol, one per channel message (the channel keeps their
 * boundaries and order). Integers are big-endian.
 *
 * <pre>
 *   first message each way (version 1):
 *   OPEN      'K' 'M' 'F' 'W' | version 1 | type 1 | window u32 | kind u8 | name length u8 | name (UTF-8, 1..255 bytes)
 *   ACCEPT    'K' 'M' 'F' 'W' | version 1 | type 2 | window u32
 *   REFUSE    'K' 'M' 'F' 'W' | version 1 | type 3 | reason u8 | text length u16 | text (UTF-8, at most 1024 bytes)
 *   LISTEN    'K' 'M' 'F' 'W' | version 1 | type 4 | address length u8 | address "HOST:PORT" (UTF-8, 1..255 bytes)
 *   LISTENING 'K' 'M' 'F' 'W' | version 1 | type 5 | port u16
 *   after ACCEPT:
 *   DATA      0x10 | bytes (at least 1)
 *   WINDOW    0x11 | increment u32 (at least 1)
 *   EOF       0x12
 * </pre>
 *
 * A forwarded TCP connection is one channel: the opener sends OPEN naming a service ({@link
 * #KIND_SERVICE}) or a remote listen address it asked for ({@link #KIND_REMOTE}), and the window it
 * grants; the other side answers ACCEPT with its own window once its TCP connection is up, or
 * REFUSE (and closes its side). Then each side sends DATA, at most as many bytes as the other
 * granted and has not yet received: a receiver grants more (WINDOW) as it writes bytes to its
 * socket. EOF is the TCP FIN; a side closes the channel once it has sent EOF and received one (no
 * WINDOW is needed after either). A remote listen request is a channel of its own: LISTEN, answered
 * by LISTENING or REFUSE, and held open as long as the listener should be.
 *
 * <p>Immutable and thread-safe. {@link #decode} throws {@link IllegalArgumentException} for
 * anything malformed and returns {@link UnknownVersion} for a first message of another version.
 */
public sealed interface ForwardMessage {
    int MAGIC = 0x4b4d4657; // "KMFW"
    byte VERSION = 1;
    /** Magic, version and type. */
    int HEADER = 6;
    /** The most bytes of a name or an address. */
    int MAX_NAME = 255;
    /** The most bytes of a REFUSE text; longer texts are cut. */
    int MAX_TEXT = 1024;
    /** OPEN of a service by name. */
    int KIND_SERVICE = 0;
    /** OPEN for a remote listen address the opened side asked for (LISTEN). */
    int KIND_REMOTE = 1;
    byte OPEN = 1;
    byte ACCEPT = 2;
    byte REFUSE = 3;
    byte LISTEN = 4;
    byte LISTENING = 5;
    byte DATA = 0x10;
    byte WINDOW = 0x11;
    byte EOF = 0x12;
    /** The largest window a message carries. */
    long MAX_WINDOW = 0xffff_ffffL;

    /** Opens a forwarded connection to {@code name}, granting {@code window} bytes. */
    record Open(long window, int kind, String name) implements ForwardMessage {
        public Open {
            checkWindow(window);
            if (kind != KIND_SERVICE && kind != KIND_REMOTE) {
                throw new IllegalArgumentException("unknown kind " + kind);
            }
            checkName(name);
        }
    }

    /** The connection is up; the opener may send {@code window} bytes. */
    record Accept(long window) implements ForwardMessage {
        public Accept {
            checkWindow(window);
        }
    }

    /** The connection (or listen request) is refused for {@code reason}, explained by {@code text}. */
    record Refuse(RefuseReason reason, String text) implements ForwardMessage {}

    /** Asks the other node to listen at {@code address} ("HOST:PORT") and forward what it accepts back. */
    record Listen(String address) implements ForwardMessage {
        public Listen {
            checkName(address);
        }
    }

    /** The listener asked for is bound, at {@code port}. */
    record Listening(int port) implements ForwardMessage {
        public Listening {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
        }
    }

    /** Bytes of the TCP stream: {@code message[1..]} (the whole channel message, not copied). */
    record Data(byte[] message) implements ForwardMessage {
        /** The number of stream bytes. */
        public int length() {
            return message.length - 1;
        }
    }

    /** The sender may send {@code increment} more bytes. */
    record Window(long increment) implements ForwardMessage {
        public Window {
            if (increment < 1 || increment > MAX_WINDOW) {
                throw new IllegalArgumentException("window increment out of range: " + increment);
            }
        }
    }

    /** The sender's TCP stream ended (FIN): no more DATA follows. */
    record Eof() implements ForwardMessage {}

    /** A first message of a protocol version this node does not speak. */
    record UnknownVersion(int version) implements ForwardMessage {}

    /** A DATA message carrying {@code bytes[off..off+len)}. */
    static byte[] data(byte[] bytes, int off, int len) {
        if (len < 1) {
            throw new IllegalArgumentException("DATA carries at least one byte");
        }
        byte[] m = new byte[1 + len];
        m[0] = DATA;
        System.arraycopy(bytes, off, m, 1, len);
        return m;
    }

    /** The encoded message. */
    default byte[] encode() {
        return switch (this) {
            case Open o -> {
                byte[] name = o.name().getBytes(StandardCharsets.UTF_8);
                yield header(OPEN, 6 + name.length).putInt((int) o.window()).put((byte) o.kind())
                        .put((byte) name.length).put(name).array();
            }
            case Accept a -> header(ACCEPT, 4).putInt((int) a.window()).array();
            case Refuse r -> {
                byte[] text = truncate(r.text().getBytes(StandardCharsets.UTF_8));
                yield header(REFUSE, 3 + text.length).put((byte) r.reason().code()).putShort((short) text.length)
                        .put(text).array();
            }
            case Listen l -> {
                byte[] address = l.address().getBytes(StandardCharsets.UTF_8);
                yield header(LISTEN, 1 + address.length).put((byte) address.length).put(address).array();
            }
            case Listening l -> header(LISTENING, 2).putShort((short) l.port()).array();
            case Data d -> d.message().clone();
            case Window w -> ByteBuffer.allocate(5).put(WINDOW).putInt((int) w.increment()).array();
            case Eof e -> new byte[] {EOF};
            case UnknownVersion u -> throw new IllegalStateException("an unknown version is not sent");
        };
    }

    /**
     * Decodes one message: a first message (magic, version, type) or a stream message.
     *
     * @throws IllegalArgumentException if {@code m} is none (bad magic, type, length or text)
     */
    static ForwardMessage decode(byte[] m) {
        if (m.length == 0) {
            throw new IllegalArgumentException("empty message");
        }
        switch (m[0]) {
            case DATA -> {
                if (m.length < 2) {
                    throw new IllegalArgumentException("DATA without bytes");
                }
                return new Data(m);
            }
            case WINDOW -> {
                if (m.length != 5) {
                    throw new IllegalArgumentException("WINDOW of " + m.length + " bytes, not 5");
                }
                long increment = Integer.toUnsignedLong(ByteBuffer.wrap(m, 1, 4).getInt());
                if (increment == 0) {
                    throw new IllegalArgumentException("WINDOW of 0");
                }
                return new Window(increment);
            }
            case EOF -> {
                if (m.length != 1) {
                    throw new IllegalArgumentException("EOF of " + m.length + " bytes, not 1");
                }
                return new Eof();
            }
            default -> {
                return decodeFirst(m);
            }
        }
    }

    /** True if {@code m} begins with the magic: a first message of some version. */
    static boolean hasMagic(byte[] m) {
        return m.length >= 4 && ByteBuffer.wrap(m).getInt() == MAGIC;
    }

    private static ForwardMessage decodeFirst(byte[] m) {
        if (!hasMagic(m)) {
            throw new IllegalArgumentException("not a forwarding message (type 0x"
                    + Integer.toHexString(Byte.toUnsignedInt(m[0])) + ")");
        }
        if (m.length < 5) {
            throw new IllegalArgumentException("no version");
        }
        if (m[4] != VERSION) {
            return new UnknownVersion(Byte.toUnsignedInt(m[4]));
        }
        if (m.length < HEADER) {
            throw new IllegalArgumentException("no type");
        }
        ByteBuffer b = ByteBuffer.wrap(m, HEADER, m.length - HEADER);
        try {
            ForwardMessage msg = switch (m[5]) {
                case OPEN -> {
                    long window = Integer.toUnsignedLong(b.getInt());
                    int kind = Byte.toUnsignedInt(b.get());
                    String name = text(b, Byte.toUnsignedInt(b.get()));
                    yield new Open(window, kind, name);
                }
                case ACCEPT -> new Accept(Integer.toUnsignedLong(b.getInt()));
                case REFUSE -> {
                    RefuseReason reason = RefuseReason.of(Byte.toUnsignedInt(b.get()));
                    int n = Short.toUnsignedInt(b.getShort());
                    if (n > MAX_TEXT) {
                        throw new IllegalArgumentException("REFUSE text of " + n + " bytes");
                    }
                    yield new Refuse(reason, text(b, n));
                }
                case LISTEN -> new Listen(text(b, Byte.toUnsignedInt(b.get())));
                case LISTENING -> new Listening(Short.toUnsignedInt(b.getShort()));
                default -> throw new IllegalArgumentException("unknown type " + m[5]);
            };
            if (b.hasRemaining()) {
                throw new IllegalArgumentException(b.remaining() + " bytes after the message");
            }
            return msg;
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated message of type " + m[5]);
        }
    }

    private static String text(ByteBuffer b, int n) {
        if (n > b.remaining()) {
            throw new java.nio.BufferUnderflowException();
        }
        ByteBuffer slice = b.slice(b.position(), n);
        b.position(b.position() + n);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("text is not UTF-8");
        }
    }

    private static ByteBuffer header(byte type, int bodyLength) {
        return ByteBuffer.allocate(HEADER + bodyLength).putInt(MAGIC).put(VERSION).put(type);
    }

    private static void checkWindow(long window) {
        if (window < 1 || window > MAX_WINDOW) {
            throw new IllegalArgumentException("window out of range: " + window);
        }
    }

    private static void checkName(String name) {
        int n = name.getBytes(StandardCharsets.UTF_8).length;
        if (n < 1 || n > MAX_NAME) {
            throw new IllegalArgumentException("name of " + n + " bytes; 1.." + MAX_NAME);
        }
    }

    /** At most {@link #MAX_TEXT} bytes, cut at a character boundary. */
    private static byte[] truncate(byte[] text) {
        if (text.length <= MAX_TEXT) {
            return text;
        }
        int n = MAX_TEXT;
        while (n > 0 && (text[n] & 0xc0) == 0x80) {
            n--; // not inside a character
        }
        return java.util.Arrays.copyOf(text, n);
    }
}
