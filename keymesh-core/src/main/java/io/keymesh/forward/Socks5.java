package io.keymesh.forward;

import io.keymesh.crypto.PublicKey;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The server side of a SOCKS5 CONNECT (RFC 1928), no authentication, for the forwarder's SOCKS
 * front end: a client names a peer's service as the host, {@code SERVICE.KEY} or {@code
 * SERVICE.KEY.keymesh} with the node's key in base32 (52 characters; the port is not used), and
 * the connection is forwarded as a {@link LocalForward}'s would be. Anything else is answered with
 * a SOCKS failure and closed. Stateless.
 */
final class Socks5 {
    static final int VERSION = 5;
    static final int NO_AUTHENTICATION = 0;
    static final int NO_ACCEPTABLE_METHOD = 0xff;
    static final int CONNECT = 1;
    static final int ATYP_IPV4 = 1;
    static final int ATYP_DOMAIN = 3;
    static final int ATYP_IPV6 = 4;
    /** Reply codes (RFC 1928 section 6). */
    static final int SUCCEEDED = 0;
    static final int GENERAL_FAILURE = 1;
    static final int NOT_ALLOWED = 2;
    static final int HOST_UNREACHABLE = 4;
    static final int CONNECTION_REFUSED = 5;
    static final int TTL_EXPIRED = 6;
    static final int COMMAND_NOT_SUPPORTED = 7;
    static final int ADDRESS_TYPE_NOT_SUPPORTED = 8;
    /** The optional last label of a host name that names a service. */
    static final String SUFFIX = ".keymesh";

    /** What a client asked for: a peer's service. */
    record Target(PublicKey peer, String service) {}

    /** A request that cannot be served: the reply code sent, and why. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final int reply;

        Refused(int reply, String message) {
            super(message);
            this.reply = reply;
        }
    }

    private Socks5() {}

    /**
     * Reads the client's greeting and CONNECT request from {@code s} and answers the greeting.
     *
     * @throws Refused after sending the failure reply (the caller closes the socket)
     * @throws IOException if the client went away or spoke something else
     */
    static Target readRequest(Socket s) throws IOException, Refused {
        DataInputStream in = new DataInputStream(s.getInputStream());
        OutputStream out = s.getOutputStream();
        if (in.readUnsignedByte() != VERSION) {
            throw new IOException("not SOCKS5");
        }
        int methods = in.readUnsignedByte();
        boolean noAuth = false;
        for (int i = 0; i < methods; i++) {
            noAuth |= in.readUnsignedByte() == NO_AUTHENTICATION;
        }
        if (!noAuth) {
            out.write(new byte[] {VERSION, (byte) NO_ACCEPTABLE_METHOD});
            out.flush();
            throw new Refused(NO_ACCEPTABLE_METHOD, "the client offers no method without authentication");
        }
        out.write(new byte[] {VERSION, NO_AUTHENTICATION});
        out.flush();
        if (in.readUnsignedByte() != VERSION) {
            throw new IOException("not SOCKS5");
        }
        int command = in.readUnsignedByte();
        in.readUnsignedByte(); // reserved
        int type = in.readUnsignedByte();
        String host;
        switch (type) {
            case ATYP_DOMAIN -> {
                byte[] name = new byte[in.readUnsignedByte()];
                in.readFully(name);
                host = new String(name, StandardCharsets.US_ASCII);
            }
            case ATYP_IPV4 -> {
                in.readFully(new byte[4]);
                host = null;
            }
            case ATYP_IPV6 -> {
                in.readFully(new byte[16]);
                host = null;
            }
            default -> throw new IOException("SOCKS5 address type " + type);
        }
        in.readUnsignedShort(); // the port: a service has its own
        if (command != CONNECT) {
            throw refuse(out, COMMAND_NOT_SUPPORTED, "SOCKS5 command " + command + " (only CONNECT is supported)");
        }
        if (host == null) {
            throw refuse(out, ADDRESS_TYPE_NOT_SUPPORTED, "an IP address, not a service name (SERVICE.KEY" + SUFFIX + ")");
        }
        try {
            return parse(host);
        } catch (IllegalArgumentException e) {
            throw refuse(out, HOST_UNREACHABLE, e.getMessage());
        }
    }

    /**
     * {@code SERVICE.KEY} or {@code SERVICE.KEY.keymesh} (case ignored), the key in base32.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    static Target parse(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.endsWith(SUFFIX)) {
            h = h.substring(0, h.length() - SUFFIX.length());
        }
        int dot = h.lastIndexOf('.');
        if (dot <= 0) {
            throw new IllegalArgumentException("\"" + host + "\" does not name a service: SERVICE.KEY" + SUFFIX
                    + " with the node's key in base32");
        }
        String key = h.substring(dot + 1);
        if (key.length() != 52) {
            throw new IllegalArgumentException("\"" + host + "\": a node's key in base32 is 52 characters, got " + key.length());
        }
        PublicKey peer = PublicKey.fromBase32(key);
        String service = host.substring(0, dot); // as the client wrote it: names are case-sensitive
        Service.checkName(service);
        return new Target(peer, service);
    }

    /** The reply to send once the peer answered: success, or the code for {@code reason}. */
    static void reply(OutputStream out, int code) throws IOException {
        out.write(new byte[] {VERSION, (byte) code, 0, ATYP_IPV4, 0, 0, 0, 0, 0, 0});
        out.flush();
    }

    /** The SOCKS reply code for a refusal. */
    static int code(RefuseReason reason) {
        return switch (reason) {
            case NOT_ALLOWED -> NOT_ALLOWED;
            case CONNECTION_REFUSED -> CONNECTION_REFUSED;
            case UNKNOWN_SERVICE, UNREACHABLE -> HOST_UNREACHABLE;
            case TIMEOUT -> TTL_EXPIRED;
            default -> GENERAL_FAILURE;
        };
    }

    private static Refused refuse(OutputStream out, int code, String why) throws IOException {
        reply(out, code);
        return new Refused(code, why);
    }
}
