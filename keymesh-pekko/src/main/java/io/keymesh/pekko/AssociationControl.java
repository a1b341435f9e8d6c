package io.keymesh.pekko;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The first message in each direction of an association's channel; every later message is a Pekko
 * payload, unframed (a channel message is already whole and ordered).
 *
 * <pre>
 *   OPEN    'K' 'M' 'P' 'K' | version 1 | type 1 | from port u16 | to port u16 | name length u8 | system name (UTF-8)
 *   ACCEPT  'K' 'M' 'P' 'K' | version 1 | type 2
 *   REFUSE  'K' 'M' 'P' 'K' | version 1 | type 3 | reason length u16 | reason (UTF-8)
 * </pre>
 *
 * The initiator sends OPEN on a new channel; the responder answers ACCEPT if an actor system
 * listens on the virtual port, REFUSE otherwise (and closes the channel).
 */
sealed interface AssociationControl {
    byte VERSION = 1;
    int MAGIC = 0x4b4d504b; // "KMPK"
    int MAX_NAME = 255;
    int MAX_REASON = 1024;

    /** Asks for an association from {@code fromPort}'s system {@code systemName} to {@code toPort}. */
    record Open(int fromPort, int toPort, String systemName) implements AssociationControl {
        public Open {
            checkPort(fromPort);
            checkPort(toPort);
            if (systemName.getBytes(StandardCharsets.UTF_8).length > MAX_NAME) {
                throw new IllegalArgumentException("system name longer than " + MAX_NAME + " bytes");
            }
        }
    }

    /** The association is taken. */
    record Accept() implements AssociationControl {}

    /** The association is refused, for {@code reason}. */
    record Refuse(String reason) implements AssociationControl {}

    /** The encoded message. */
    default byte[] encode() {
        return switch (this) {
            case Open o -> {
                byte[] name = o.systemName().getBytes(StandardCharsets.UTF_8);
                yield header(1, 5 + name.length).putShort((short) o.fromPort()).putShort((short) o.toPort())
                        .put((byte) name.length).put(name).array();
            }
            case Accept a -> header(2, 0).array();
            case Refuse r -> {
                byte[] reason = truncate(r.reason().getBytes(StandardCharsets.UTF_8));
                yield header(3, 2 + reason.length).putShort((short) reason.length).put(reason).array();
            }
        };
    }

    /**
     * Decodes a control message.
     *
     * @throws IllegalArgumentException if {@code bytes} is not one (wrong magic, version, type or length)
     */
    static AssociationControl decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (bytes.length < 6 || b.getInt() != MAGIC) {
            throw new IllegalArgumentException("not an association control message");
        }
        byte version = b.get();
        if (version != VERSION) {
            throw new IllegalArgumentException("association protocol version " + version + ", this node speaks " + VERSION);
        }
        int type = b.get();
        try {
            AssociationControl m = switch (type) {
                case 1 -> {
                    int from = Short.toUnsignedInt(b.getShort());
                    int to = Short.toUnsignedInt(b.getShort());
                    int n = Byte.toUnsignedInt(b.get());
                    yield new Open(from, to, utf8(b, n));
                }
                case 2 -> new Accept();
                case 3 -> new Refuse(utf8(b, Short.toUnsignedInt(b.getShort())));
                default -> throw new IllegalArgumentException("unknown association control type " + type);
            };
            if (b.hasRemaining()) {
                throw new IllegalArgumentException("trailing bytes after association control message");
            }
            return m;
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated association control message", e);
        }
    }

    private static ByteBuffer header(int type, int bodyLength) {
        return ByteBuffer.allocate(6 + bodyLength).putInt(MAGIC).put(VERSION).put((byte) type);
    }

    /** {@code reason} cut to at most {@link #MAX_REASON} bytes, at a character boundary. */
    private static byte[] truncate(byte[] reason) {
        if (reason.length <= MAX_REASON) {
            return reason;
        }
        int end = MAX_REASON;
        while (end > 0 && (reason[end] & 0xC0) == 0x80) {
            end--; // reason[end] continues a character that began before it
        }
        return java.util.Arrays.copyOf(reason, end);
    }

    private static String utf8(ByteBuffer b, int n) {
        byte[] raw = new byte[n];
        b.get(raw);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static void checkPort(int port) {
        if (port < 1 || port > MeshAddress.MAX_PORT) {
            throw new IllegalArgumentException("virtual port " + port + " out of range 1.." + MeshAddress.MAX_PORT);
        }
    }
}
