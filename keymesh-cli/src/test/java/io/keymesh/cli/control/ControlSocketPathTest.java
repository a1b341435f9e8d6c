package io.keymesh.cli.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keymesh.config.ControlConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where the control socket is by default: the user's runtime directory, root's /run, or the temporary directory. */
class ControlSocketPathTest {
    @Test
    void theRuntimeDirectoryComesFirstThenRootsRunThenTheTemporaryDirectory() {
        assertEquals(Path.of("/run/user/1000/keymesh"),
                ControlSocketPath.defaultDirectory(Map.of("XDG_RUNTIME_DIR", "/run/user/1000"), false, "alice", "/tmp"));
        assertEquals(Path.of("/run/user/0/keymesh"),
                ControlSocketPath.defaultDirectory(Map.of("XDG_RUNTIME_DIR", "/run/user/0"), true, "root", "/tmp"),
                "also for root in a login session");
        assertEquals(Path.of("/run/keymesh"), ControlSocketPath.defaultDirectory(Map.of(), true, "root", "/tmp"));
        assertEquals(Path.of("/var/tmp/keymesh-alice"), ControlSocketPath.defaultDirectory(Map.of(), false, "alice", "/var/tmp"));
        assertEquals(Path.of("/tmp/keymesh-alice"),
                ControlSocketPath.defaultDirectory(Map.of("XDG_RUNTIME_DIR", "relative"), false, "alice", "/tmp"),
                "a relative XDG_RUNTIME_DIR is ignored, as the specification says");
        assertEquals(Path.of("/tmp/keymesh-alice"),
                ControlSocketPath.defaultDirectory(Map.of("XDG_RUNTIME_DIR", ""), false, "alice", "/tmp"));
    }

    @Test
    void theDaemonsSocketIsNamedAfterItsPortUnlessConfigured() {
        assertEquals(ControlSocketPath.defaultDirectory().resolve("51820.sock"), ControlSocketPath.forDaemon(ControlConfig.DEFAULT, 51820));
        assertEquals(Path.of("/srv/km.sock"), ControlSocketPath.forDaemon(new ControlConfig(true, Path.of("/srv/km.sock")), 51820));
    }
}
