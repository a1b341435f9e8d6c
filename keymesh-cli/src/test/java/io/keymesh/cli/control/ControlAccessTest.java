package io.keymesh.cli.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import jdk.net.UnixDomainPrincipal;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Who may use a control socket: the decision, given the connecting process's user, and — run as
 * root where {@code setpriv} or {@code runuser} exists — the real thing: a process running as uid
 * 65534 that reaches the socket (made world-writable for the test) is closed on unanswered and
 * logged, while the same program run as root is answered.
 */
class ControlAccessTest {
    private static final UserPrincipalLookupService USERS = FileSystems.getDefault().getUserPrincipalLookupService();
    /** The unprivileged user of the real check. */
    private static final int NOBODY = 65534;

    private static UnixDomainPrincipal as(UserPrincipal user) throws IOException {
        GroupPrincipal group = USERS.lookupPrincipalByGroupName(String.valueOf(new UnixSystem().getGid()));
        return new UnixDomainPrincipal(user, group);
    }

    /** A user other than root and this process's: the owner of a fresh file given to uid 65534 (by id, so no passwd entry is needed). */
    private static UserPrincipal someoneElse() throws IOException {
        return USERS.lookupPrincipalByName(String.valueOf(NOBODY));
    }

    @Test
    void theDaemonsUserAndRootAreAllowedAndNoOneElse() throws IOException {
        UserPrincipal root = USERS.lookupPrincipalByName("root");
        UserPrincipal other = someoneElse();
        UserPrincipal alice = USERS.lookupPrincipalByName(String.valueOf(4242));
        ControlAccess asAlice = new ControlAccess(alice, root);
        assertTrue(asAlice.allows(as(alice)), "the daemon's own user");
        assertTrue(asAlice.allows(as(root)), "root");
        assertFalse(asAlice.allows(as(other)), "anyone else");
        assertTrue(asAlice.allows(as(USERS.lookupPrincipalByName("0"))), "users are compared by id: uid 0 is root");

        ControlAccess noRoot = new ControlAccess(alice, null);
        assertFalse(noRoot.allows(as(root)), "where root has no entry, only the daemon's user");
        assertTrue(noRoot.allows(as(alice)));

        ControlAccess asRoot = new ControlAccess(root, root);
        assertTrue(asRoot.allows(as(root)));
        assertFalse(asRoot.allows(as(other)), "a root daemon refuses everyone else");
        assertFalse(asRoot.allows(as(alice)));
    }

    @Test
    void aConnectionFromAnotherUserIsClosedUnansweredAndLogged() throws Exception {
        assumeTrue(new UnixSystem().getUid() == 0, "needs root, to run a client as uid " + NOBODY + " (this runs as uid "
                + new UnixSystem().getUid() + ")");
        List<String> asNobody = asUser(NOBODY);
        assumeTrue(asNobody != null, "needs setpriv or runuser, to run a client as uid " + NOBODY);

        Path dir = Files.createTempDirectory(Path.of("/tmp"), "keymesh-access");
        Logger logger = (Logger) LoggerFactory.getLogger(ControlServer.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // others may reach the socket...
            Path probe = dir.resolve("Probe.java");
            Files.writeString(probe, PROBE, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(probe, PosixFilePermissions.fromString("rw-r--r--"));
            Path socket = dir.resolve("control.sock");
            try (ControlServer server = ControlServer.open(socket, new ControlOperations())) {
                Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-")); // ...and connect to it
                String java = ProcessHandle.current().info().command().orElseThrow();

                String root = run(List.of(java, probe.toString(), socket.toString()));
                assertTrue(root.startsWith("answer:{\"v\":1,\"ok\":true,\"result\":{\"version\":1"), "root is answered: " + root);

                List<String> command = new ArrayList<>(asNobody);
                command.addAll(List.of(java, probe.toString(), socket.toString()));
                String nobody = run(command);
                assertTrue(nobody.equals("answer:") || nobody.startsWith("failed:"), "uid " + NOBODY + " gets no answer: " + nobody);
                assertFalse(nobody.contains("\"ok\""), nobody);
                assertTrue(logs.list.stream().anyMatch(e -> e.getFormattedMessage().startsWith("control socket " + socket
                        + ": refused a connection from user ") && e.getFormattedMessage().endsWith(": only root may use it")),
                        "the refusal is logged: " + logs.list);
            }
        } finally {
            logger.detachAppender(logs);
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** The command prefix that runs a program as {@code uid}, or null if neither tool is there. */
    private static List<String> asUser(int uid) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin:/usr/sbin:/sbin").split(":")) {
            if (Files.isExecutable(Path.of(dir, "setpriv"))) {
                return List.of(Path.of(dir, "setpriv").toString(), "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--");
            }
        }
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin")) {
            if (Files.isExecutable(Path.of(dir, "runuser"))) {
                return List.of(Path.of(dir, "runuser").toString(), "-u", "#" + uid, "--");
            }
        }
        return null;
    }

    private static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("no end within 60 s: " + command);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.exitValue(), command + ": " + out);
        return out;
    }

    /** A client that asks "hello" and prints the answer line ("answer:" and nothing if the connection closed first). */
    private static final String PROBE = """
            import java.net.UnixDomainSocketAddress;
            import java.nio.ByteBuffer;
            import java.nio.channels.SocketChannel;
            import java.nio.charset.StandardCharsets;

            public class Probe {
                public static void main(String[] args) {
                    try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(args[0]))) {
                        c.write(ByteBuffer.wrap("{\\"v\\":1,\\"op\\":\\"hello\\"}\\n".getBytes(StandardCharsets.UTF_8)));
                        StringBuilder s = new StringBuilder();
                        ByteBuffer b = ByteBuffer.allocate(4096);
                        while (s.indexOf("\\n") < 0 && c.read(b) >= 0) {
                            b.flip();
                            s.append(StandardCharsets.UTF_8.decode(b));
                            b.clear();
                        }
                        System.out.println("answer:" + s.toString().strip());
                    } catch (Exception e) {
                        System.out.println("failed:" + e);
                    }
                }
            }
            """;
}
