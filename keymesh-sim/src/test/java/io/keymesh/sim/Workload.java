package io.keymesh.sim;

import static io.keymesh.sim.Recorder.MS;
import static io.keymesh.sim.Recorder.SECOND;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A random request/response workload on a small internet with NATs: public servers echo; clients,
 * some behind NATs, send requests to random servers at random times. Everything random comes from
 * the simulation's seed.
 */
final class Workload {
    static final byte REQUEST = 1;
    static final byte RESPONSE = 2;

    final Simulation sim;
    final Network internet;
    final List<Network> networks = new ArrayList<>();
    final List<Host> hosts = new ArrayList<>();
    final List<VirtualUdpSocket> servers = new ArrayList<>();
    final List<VirtualUdpSocket> clients = new ArrayList<>();
    final List<Nat> nats = new ArrayList<>();

    Workload(Simulation sim, LinkConditions conditions) {
        this.sim = sim;
        internet = sim.newNetwork("internet", "198.18.0.0/15");
        internet.setDefaultLinkConditions(conditions);
        networks.add(internet);
    }

    VirtualUdpSocket addServer(Network net) {
        Host h = net.newHost("server" + servers.size());
        hosts.add(h);
        VirtualUdpSocket[] self = new VirtualUdpSocket[1];
        self[0] = h.openUdp(9000, (from, data, off, len) -> {
            if (data[off] == REQUEST) {
                data[off] = RESPONSE;
                self[0].send(from, data, off, len);
            }
        });
        servers.add(self[0]);
        return self[0];
    }

    Nat addNat(NatConfig config) {
        Nat nat = internet.newNat("nat" + nats.size(), config, "10." + nats.size() + ".0.0/16");
        nats.add(nat);
        networks.add(nat.inside());
        return nat;
    }

    VirtualUdpSocket addClient(Network net, DatagramHandler handler) {
        Host h = net.newHost("client" + clients.size());
        hosts.add(h);
        VirtualUdpSocket s = h.openUdp(0, handler);
        clients.add(s);
        return s;
    }

    /** Each client sends {@code perClient} requests of random size to random servers at random times in [0, span). */
    void scheduleRequests(int perClient, long spanNanos) {
        RandomGenerator r = sim.random();
        for (VirtualUdpSocket c : clients) {
            for (int i = 0; i < perClient; i++) {
                InetSocketAddress to = servers.get(r.nextInt(servers.size())).localAddress();
                byte[] payload = new byte[1 + r.nextInt(1400)];
                payload[0] = REQUEST;
                sim.schedule(r.nextLong(spanNanos), () -> c.send(to, payload));
            }
        }
    }

    long sent() {
        return hosts.stream().mapToLong(Host::sent).sum();
    }

    long duplicated() {
        long d = 0;
        for (Network n : networks) {
            for (Link l : n.links()) {
                d += l.egress().duplicated() + l.ingress().duplicated();
            }
        }
        return d;
    }

    static LinkConditions rough() {
        return LinkConditions.DEFAULT
                .withLatency(Duration.ofMillis(20)).withJitter(Duration.ofMillis(10))
                .withLoss(0.05).withDuplication(0.02).withReordering(0.05, Duration.ofMillis(30))
                .withBandwidth(20_000_000).withQueueCapacity(30_000).withMtu(1400);
    }

    static final long SPAN = 10 * SECOND;
    static final long MARGIN = 500 * MS;
}
