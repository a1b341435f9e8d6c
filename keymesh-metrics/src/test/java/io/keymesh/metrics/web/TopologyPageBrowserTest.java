package io.keymesh.metrics.web;

import static io.keymesh.testing.Loopback.await;
import static io.keymesh.testing.Loopback.get;
import static io.keymesh.testing.TestKeys.newKey;
import static io.keymesh.testing.TestKeys.newNetworkKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.metrics.NodeSnapshots;
import io.keymesh.node.MeshNode;
import io.keymesh.node.NodeConfig;
import io.keymesh.node.PathInfo;
import io.keymesh.node.PeerConfig;
import io.keymesh.overlay.DiscoveryConfig;
import io.keymesh.testing.Loopback;
import io.keymesh.testing.Loopback.Node;
import io.keymesh.testing.RecordingListener;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The topology page in a real headless Chromium (Debian's {@code chromium} and
 * {@code chromium-driver}; skipped without them): node A with three peers on loopback — R directly,
 * C relayed through R, D directly with a persistent keepalive of 6 s. The page must show each peer
 * by key with its path (C's relayed via R, in the table and as an edge of the graph) and R's
 * traffic as a rate; then D is stopped, and the page must mark it down once A notices its silence
 * (three keepalive intervals and 5 s), while R and C stay up. Assertions read the DOM's elements and
 * attributes, never the page's source text.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class TopologyPageBrowserTest {
    static final Path CHROMIUM = Path.of(System.getProperty("keymesh.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("keymesh.chromedriver", "/usr/bin/chromedriver"));
    /**
     * D's persistent keepalive: A learns the interval from three keepalives; gaps under 5 s are not
     * taken as one, and a timer firing a moment early must not make a 5 s gap one of them.
     */
    static final int KEEPALIVE_SECONDS = 6;

    @AutoClose
    private final Loopback net = new Loopback();
    private final PresharedKey network = newNetworkKey();

    @TempDir
    Path profile;

    private Node start(PrivateKey key, List<PeerConfig> peers) {
        RecordingListener events = new RecordingListener();
        NodeConfig config = NodeConfig.of(key, new InetSocketAddress(Loopback.LOCALHOST, 0), network).withPeers(peers)
                // on loopback, a relayed pair would go direct at once
                .withDiscovery(DiscoveryConfig.DEFAULT.withGoDirect(false));
        return new Node(key, net.track(MeshNode.start(config, events)), events);
    }

    @Test
    void thePageShowsEveryPeerWithItsPathAndMarksAStoppedPeerDown() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "no " + CHROMIUM + " or " + CHROMEDRIVER + ": install Debian's chromium and chromium-driver to run the"
                        + " topology page's browser test (CI does)");
        PrivateKey ka = newKey();
        PrivateKey kc = newKey();
        PrivateKey kd = newKey();
        Node r = start(newKey(), List.of(PeerConfig.of(ka.publicKey(), null), PeerConfig.of(kc.publicKey(), null)));
        Node a = start(ka, List.of(r.asPeer(), PeerConfig.of(kc.publicKey(), null).via(r.publicKey())));
        Node c = start(kc, List.of(r.asPeer(), PeerConfig.of(ka.publicKey(), null).via(r.publicKey())));
        Node d = start(kd, List.of(a.asPeer().withPersistentKeepalive(KEEPALIVE_SECONDS)));
        get(a.mesh().addPeer(PeerConfig.of(kd.publicKey(), d.address())));
        get(a.mesh().connect(r.publicKey()));
        get(c.mesh().connect(r.publicKey()));
        get(d.mesh().connect(a.publicKey()));
        await(() -> "a relayed path from A to C: " + path(a, c.publicKey()), () -> {
            PathInfo p = path(a, c.publicKey());
            return p != null && p.relayed();
        });
        get(a.mesh().connect(c.publicKey()));
        await("A's peers up", () -> List.of(r, c, d).stream().allMatch(n -> a.events().upCount(n.publicKey()) == 1));

        MeshHttpServer server = net.track(MeshHttpServer.on(new InetSocketAddress(Loopback.LOCALHOST, 0))
                .topology(new NodeSnapshots(a.mesh())).start());
        AtomicBoolean sending = new AtomicBoolean(true);
        Thread sender = Thread.ofPlatform().daemon().start(() -> {
            while (sending.get()) {
                a.mesh().send(r.publicKey(), new byte[1000]);
                Loopback.holdsWithin(Duration.ofMillis(20), () -> !sending.get());
            }
        });
        WebDriver browser = browser();
        try {
            browser.get("http://127.0.0.1:" + server.address().getPort() + "/");
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            wait.ignoring(StaleElementReferenceException.class);

            for (Node n : List.of(r, c, d)) {
                wait.until(x -> state(x, n.publicKey()).equals("up|up"));
            }
            wait.until(x -> x.findElement(By.id("self-name")).getText().equals(a.publicKey().toBase64().substring(0, 8)));
            wait.until(x -> !x.findElements(By.cssSelector("g.node.self[data-key=\"" + a.publicKey().toBase64() + "\"]")).isEmpty());
            // R and D direct, C relayed via R: in the table and as the edges of the graph
            wait.until(x -> !x.findElements(By.cssSelector(row(r.publicKey())
                    + " li.path[data-kind=\"direct\"][data-in-use=\"true\"][data-address=\"127.0.0.1:" + r.address().getPort() + "\"]")).isEmpty());
            wait.until(x -> !x.findElements(By.cssSelector(row(d.publicKey())
                    + " li.path[data-kind=\"direct\"][data-in-use=\"true\"]")).isEmpty());
            wait.until(x -> !x.findElements(By.cssSelector(row(c.publicKey()) + " li.path[data-kind=\"relayed\"][data-in-use=\"true\"]"
                    + "[data-via=\"" + r.publicKey().toBase64() + "\"]")).isEmpty());
            wait.until(x -> !x.findElements(By.cssSelector("line.edge[data-peer=\"" + c.publicKey().toBase64()
                    + "\"][data-kind=\"relayed\"][data-via=\"" + r.publicKey().toBase64() + "\"]")).isEmpty());
            wait.until(x -> !x.findElements(By.cssSelector("line.edge[data-peer=\"" + d.publicKey().toBase64()
                    + "\"][data-kind=\"direct\"]")).isEmpty());
            // A sends R a datagram every 20 ms: R's outgoing rate is shown, in bytes per second
            wait.until(x -> x.findElement(By.cssSelector(row(r.publicKey()) + " td.tx-rate")).getText().matches("[1-9][0-9.]* [kMG]?B/s"));
            assertEquals("live", browser.findElement(By.tagName("body")).getAttribute("data-connection"));
            screenshot(browser, "up");

            // D stops. A reports it down once it has been silent for three of its keepalive intervals and 5 s,
            // an interval A knows from two equal gaps between keepalives after the one that confirms the
            // handshake (which may be the first persistent one): D stops only after four intervals and 3 s.
            long dUp = a.events().peerEvents(RecordingListener.PeerEvent.Kind.UP, d.publicKey()).getFirst().atNanos();
            Loopback.holdsWithin(Duration.ofNanos(dUp + (4L * KEEPALIVE_SECONDS + 3) * 1_000_000_000L - System.nanoTime()),
                    () -> false);
            d.mesh().close();
            new WebDriverWait(browser, Duration.ofSeconds(90)).ignoring(StaleElementReferenceException.class)
                    .until(x -> state(x, d.publicKey()).equals("down|down"));
            assertEquals("up|up", state(browser, r.publicKey()));
            assertEquals("up|up", state(browser, c.publicKey()));
            assertEquals("down", browser.findElement(By.cssSelector(row(d.publicKey()) + " td.state")).getText());
            screenshot(browser, "down");
        } finally {
            sending.set(false);
            sender.join(5_000);
            browser.quit();
        }
    }

    /** The table row of {@code peer}. */
    private static String row(PublicKey peer) {
        return "tr.peer[data-key=\"" + peer.toBase64() + "\"]";
    }

    /** "TABLE|GRAPH": the data-state of {@code peer}'s table row and graph node ("" where there is none). */
    private static String state(WebDriver x, PublicKey peer) {
        List<WebElement> row = x.findElements(By.cssSelector(row(peer)));
        List<WebElement> node = x.findElements(By.cssSelector("g.node.peer[data-key=\"" + peer.toBase64() + "\"]"));
        return (row.isEmpty() ? "" : row.getFirst().getAttribute("data-state")) + "|"
                + (node.isEmpty() ? "" : node.getFirst().getAttribute("data-state"));
    }

    private static PathInfo path(Node n, PublicKey peer) {
        return Loopback.stats(n, peer).path();
    }

    private WebDriver browser() {
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // Without the background-networking flags Chromium keeps calling out to the network.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1200,1000");
        return new ChromeDriver(service, options);
    }

    /** Saves a screenshot as {@code DIR/topology-NAME.png} when the environment has {@code KEYMESH_SCREENSHOTS=DIR}. */
    private static void screenshot(WebDriver browser, String name) throws java.io.IOException {
        String dir = System.getenv("KEYMESH_SCREENSHOTS");
        if (dir != null) {
            File png = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE);
            Files.copy(png.toPath(), Path.of(dir, "topology-" + name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
