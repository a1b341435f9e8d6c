package io.keymesh.cli.control;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's side of the control socket: a Unix domain socket at a path, serving
 * {@link ControlOperations} to the connections its {@link ControlAccess} allows.
 *
 * <p>Opening: missing directories on the way are created 0700; an existing directory that belongs
 * to another user (not root) is refused, since that user could swap the socket. A socket file
 * already at the path is tried: if a daemon answers there, opening fails (two daemons cannot share
 * one socket); if nothing answers, it is a dead daemon's and is replaced. The socket is made 0600.
 *
 * <p>Serving: one thread accepts; each connection gets a virtual thread of its own, at most
 * {@value #MAX_CONNECTIONS} at once (the next is answered {@code busy} and closed); a connection
 * from a user {@link ControlAccess} refuses is closed at once, unanswered, and logged. A connection
 * that sends nothing for {@value #IDLE_TIMEOUT_SECONDS} s is closed. {@link #close} stops it all and
 * removes the socket file. Thread-safe.
 */
public final class ControlServer implements AutoCloseable {
    /** Connections served at once. */
    public static final int MAX_CONNECTIONS = 16;
    /** A connection idle this long (no request arriving, none being answered) is closed. */
    public static final int IDLE_TIMEOUT_SECONDS = 60;

    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_SOCKET = PosixFilePermissions.fromString("rw-------");

    private final Path path;
    private final ServerSocketChannel server;
    private final ControlOperations ops;
    private final ControlAccess access;
    private final Set<ControlConnection> connections = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private final Thread reaper;
    private final long idleTimeoutNanos;
    private volatile boolean closed;

    private ControlServer(Path path, ServerSocketChannel server, ControlOperations ops, ControlAccess access,
            long idleTimeoutNanos) {
        this.path = path;
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.server = server;
        this.ops = ops;
        this.access = access;
        this.acceptor = Thread.ofPlatform().daemon().name("keymesh-control").unstarted(this::acceptLoop);
        this.reaper = Thread.ofVirtual().name("keymesh-control-idle").unstarted(this::reapLoop);
    }

    /**
     * Opens the socket at {@code path} and starts serving {@code ops}.
     *
     * @throws ControlSocketException saying why it cannot (another daemon answers there, a directory
     *     belongs to another user, the path is not a socket, an I/O error)
     */
    public static ControlServer open(Path path, ControlOperations ops) throws ControlSocketException {
        return open(path, ops, IDLE_TIMEOUT_SECONDS * 1_000_000_000L);
    }

    /**
     * {@link #open(Path, ControlOperations)} closing connections idle for {@code idleTimeoutNanos}
     * instead of {@value #IDLE_TIMEOUT_SECONDS} s (checked about once a second): for tests.
     */
    static ControlServer open(Path path, ControlOperations ops, long idleTimeoutNanos) throws ControlSocketException {
        Path socket = path.toAbsolutePath().normalize();
        prepareDirectory(socket.getParent());
        replaceStale(socket);
        ServerSocketChannel server;
        try {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new ControlSocketException(socket, "cannot open a Unix domain socket: " + e.getMessage());
        }
        try {
            server.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, OWNER_ONLY_SOCKET);
            UserPrincipal self = Files.getOwner(socket, LinkOption.NOFOLLOW_LINKS); // the bound file is ours
            ControlServer s = new ControlServer(socket, server, ops, ControlAccess.of(self), idleTimeoutNanos);
            s.acceptor.start();
            s.reaper.start();
            return s;
        } catch (IOException | RuntimeException e) {
            closeQuietly(server);
            throw new ControlSocketException(socket, "cannot listen there: " + e);
        }
    }

    /** The socket's path. */
    public Path path() {
        return path;
    }

    /** How long a connection may stay idle before it is closed. */
    long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }

    /** Creates missing directories 0700; refuses one that belongs to another user than us or root. */
    private static void prepareDirectory(Path dir) throws ControlSocketException {
        if (dir == null) {
            return;
        }
        try {
            if (Files.isDirectory(dir)) {
                int owner = (Integer) Files.getAttribute(dir, "unix:uid");
                long me = new com.sun.security.auth.module.UnixSystem().getUid();
                if (owner != me && owner != 0) {
                    throw new ControlSocketException(dir, "the directory belongs to another user (uid " + owner
                            + "), who could replace the socket; use a directory of your own");
                }
                return;
            }
            prepareDirectory(dir.getParent());
            try {
                Files.createDirectory(dir);
            } catch (FileAlreadyExistsException raced) {
                if (!Files.isDirectory(dir)) {
                    throw new ControlSocketException(dir, "exists and is not a directory");
                }
                return;
            }
            Files.setPosixFilePermissions(dir, OWNER_ONLY_DIR); // exactly 0700, whatever the umask
        } catch (IOException e) {
            throw new ControlSocketException(dir, "cannot create the directory: " + e);
        }
    }

    /** A socket file at {@code socket}: refused if a daemon answers, removed if none does. */
    private static void replaceStale(Path socket) throws ControlSocketException {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!isSocket(socket)) {
            throw new ControlSocketException(socket, "exists and is not a socket; remove it or choose another path");
        }
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            throw new ControlSocketException(socket, "another keymesh daemon is answering there; stop it, or give this "
                    + "one another path (keymesh.control.socket)");
        } catch (ConnectException dead) {
            try {
                Files.deleteIfExists(socket);
                log.info("control socket {}: replaced a stale socket (no daemon answered)", socket);
            } catch (IOException e) {
                throw new ControlSocketException(socket, "cannot remove the stale socket: " + e.getMessage());
            }
        } catch (IOException e) {
            throw new ControlSocketException(socket, "cannot tell whether a daemon answers there: " + e.getMessage());
        }
    }

    private static boolean isSocket(Path p) {
        try {
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & 0170000) == 0140000; // S_IFSOCK
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                    && !Files.isSymbolicLink(p);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    log.warn("control socket {}: accept failed: {}", path, e.toString());
                }
                return;
            }
            try {
                admit(ch);
            } catch (RuntimeException e) {
                log.warn("control socket {}: dropped a connection: {}", path, e.toString());
                closeQuietly(ch);
            }
        }
    }

    private void admit(SocketChannel ch) {
        UnixDomainPrincipal peer;
        try {
            peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
        } catch (IOException | UnsupportedOperationException e) {
            log.warn("control socket {}: refused a connection whose user cannot be told: {}", path, e.toString());
            closeQuietly(ch);
            return;
        }
        if (!access.allows(peer)) {
            log.warn("control socket {}: refused a connection from user {}: only {} may use it", path,
                    peer.user().getName(), access.self().equals(access.root()) ? "root" : access.self().getName() + " and root");
            closeQuietly(ch);
            return;
        }
        ControlConnection c = new ControlConnection(ch, ops);
        if (closed || connections.size() >= MAX_CONNECTIONS) {
            c.refuseBusy(closed ? "the daemon is stopping" : "the daemon serves " + MAX_CONNECTIONS + " connections at once");
            return;
        }
        connections.add(c);
        Thread.ofVirtual().name("keymesh-control-connection").start(() -> {
            try {
                c.serve();
            } finally {
                connections.remove(c);
            }
        });
    }

    private void reapLoop() {
        while (!closed) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (ControlConnection c : connections) {
                if (c.idleSince(now) > idleTimeoutNanos) {
                    c.close();
                }
            }
        }
    }

    /** Stops serving: no more connections, open ones closed, the socket file removed. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(server);
        reaper.interrupt();
        for (ControlConnection c : connections) {
            c.close();
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("control socket {}: cannot remove it: {}", path, e.toString());
        }
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
