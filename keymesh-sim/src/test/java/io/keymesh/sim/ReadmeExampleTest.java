package io.keymesh.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The example in keymesh-sim/README.md, kept compiling and true. */
class ReadmeExampleTest {
    @Test
    void readmeExample() {
        Simulation sim = new Simulation(42);                        // every random draw comes from the seed
        Network internet = sim.newNetwork("internet", "198.18.0.0/15");
        internet.setLinkConditions(LinkConditions.DEFAULT
                .withLatency(Duration.ofMillis(20))                 // per link: a hop crosses two
                .withJitter(Duration.ofMillis(5))
                .withLoss(0.01));

        Host server = internet.newHost("server");
        Nat home = internet.newNat("home", NatConfig.of(NatType.PORT_RESTRICTED_CONE)
                .withBindingTimeout(Duration.ofSeconds(30)), "192.168.1.0/24");
        Host laptop = home.inside().newHost("laptop");

        VirtualUdpSocket[] echo = new VirtualUdpSocket[1];
        echo[0] = server.openUdp(7, (from, data, off, len) -> echo[0].send(from, data, off, len));
        List<String> replies = new ArrayList<>();
        VirtualUdpSocket client = laptop.openUdp(0, (from, data, off, len) ->
                replies.add(new String(data, off, len, StandardCharsets.UTF_8)));

        client.send(new InetSocketAddress(server.address(), 7), "ping".getBytes(StandardCharsets.UTF_8));
        sim.runFor(Duration.ofSeconds(1));                           // virtual time: returns at once

        assertEquals(List.of("ping"), replies);
        assertEquals(1, home.activeMappings());
        sim.runFor(Duration.ofSeconds(30));                          // no keepalive: the binding expires
        assertEquals(1, home.mappingsExpired());
    }
}
