package io.keymesh.cli.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A client's connection to a daemon's control socket: requests go out one at a time, each waiting
 * for its response line. Not thread-safe: one caller at a time.
 */
public final class ControlClient implements AutoCloseable {
    /** What a client says when the daemon closes the connection unanswered, as it does to users it refuses. */
    static final String CLOSED_UNANSWERED = "the daemon closed the connection without an answer (only its own user and"
            + " root may use its socket)";

    private final Path path;
    private final SocketChannel channel;
    private final ByteBuffer in = ByteBuffer.allocate(8192);
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    private ControlClient(Path path, SocketChannel channel) {
        this.path = path;
        this.channel = channel;
        in.flip(); // empty
    }

    /**
     * The sockets a client without {@code --socket} may mean: those in the default directory of
     * this user ({@link ControlSocketPath}), sorted; empty if none (or no such directory).
     */
    public static List<Path> defaultSockets() {
        Path dir = ControlSocketPath.defaultDirectory();
        List<Path> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> p.getFileName().toString().endsWith(ControlSocketPath.SUFFIX)).sorted().forEach(found::add);
        } catch (IOException e) {
            // no directory, or not ours to read: no daemon of this user
        }
        return found;
    }

    /**
     * Connects to the daemon at {@code path}.
     *
     * @throws ControlUnreachable naming the path and the likely reason (no socket, no daemon answering, not permitted)
     */
    public static ControlClient connect(Path path) throws ControlUnreachable {
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(path));
            return new ControlClient(path, ch);
        } catch (IOException e) {
            close(ch);
            if (!Files.exists(path)) {
                throw new ControlUnreachable(path, "no control socket there (is `keymesh up` running? it logs its socket's path)");
            }
            if (e instanceof ConnectException) {
                throw new ControlUnreachable(path, "no daemon answers there (a socket left by a daemon that stopped)");
            }
            if (e instanceof SocketException && String.valueOf(e.getMessage()).contains("ermission denied")) {
                throw new ControlUnreachable(path, "permission denied: only the daemon's own user and root may use its socket");
            }
            throw new ControlUnreachable(path, "cannot connect: " + e.getMessage());
        }
    }

    /** The socket's path. */
    public Path path() {
        return path;
    }

    /**
     * Sends {@code request} and waits for its response, at most {@code timeout}.
     *
     * @return the response's {@code result}
     * @throws ControlError the daemon's error response: its code and message
     * @throws ControlUnreachable the connection failed, closed unanswered, or no answer came in time
     */
    public JsonNode call(ObjectNode request, Duration timeout) throws ControlError, ControlUnreachable {
        JsonNode response = exchange(ControlProtocol.line(request), timeout);
        if (!response.isObject() || !response.path(ControlProtocol.OK).isBoolean()) {
            throw new ControlUnreachable(path, "the daemon answered something that is not a response: "
                    + abbreviate(response.toString()));
        }
        if (response.get(ControlProtocol.OK).asBoolean()) {
            return response.path(ControlProtocol.RESULT);
        }
        JsonNode error = response.path(ControlProtocol.ERROR);
        throw new ControlError(error.path(ControlProtocol.CODE).asText(ControlError.INTERNAL),
                error.path(ControlProtocol.MESSAGE).asText("(no message)"));
    }

    /**
     * Sends {@code line} (a newline is added) as it is and reads one response line, at most
     * {@code timeout}: for {@link #call}, and for tests that send what a well-behaved client would not.
     */
    public JsonNode exchange(String line, Duration timeout) throws ControlUnreachable {
        java.util.concurrent.atomic.AtomicBoolean late = new java.util.concurrent.atomic.AtomicBoolean();
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(timeout);
                late.set(true);
                close(channel); // the blocked read below fails
            } catch (InterruptedException answered) {
                // done in time
            }
        });
        try {
            ByteBuffer out = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                channel.write(out);
            }
            String answer = readLine();
            if (answer == null) {
                throw new ControlUnreachable(path, CLOSED_UNANSWERED);
            }
            return ControlProtocol.JSON.readTree(answer);
        } catch (JsonProcessingException e) {
            throw new ControlUnreachable(path, "the daemon's answer is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            if (late.get()) {
                throw new ControlUnreachable(path, "no answer within " + timeout.toMillis() + " ms");
            }
            throw new ControlUnreachable(path, CLOSED_UNANSWERED); // a refused client's write may fail first: the same
        } finally {
            watchdog.interrupt();
        }
    }

    /** The next line, without its newline; null at the end of the stream. */
    private String readLine() throws IOException {
        while (true) {
            while (in.hasRemaining()) {
                byte b = in.get();
                if (b == '\n') {
                    String s = pending.toString(StandardCharsets.UTF_8);
                    pending.reset();
                    return s;
                }
                if (pending.size() >= ControlProtocol.MAX_RESPONSE_BYTES) {
                    throw new IOException("an answer longer than " + ControlProtocol.MAX_RESPONSE_BYTES + " bytes");
                }
                pending.write(b);
            }
            in.clear();
            int n = channel.read(in);
            in.flip();
            if (n < 0) {
                return null;
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "\u2026";
    }

    @Override
    public void close() {
        close(channel);
    }

    private static void close(SocketChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closed
            }
        }
    }
}
