package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** One path's state: initial values, the frame budget its overhead leaves, path-MTU discovery's effect on the window. */
class PathStateTest {
    /** A relayed path: another WireGuard header and tag, and an 8-byte relay frame (padded to 16). */
    private static final PathOverhead RELAYED = new PathOverhead(16 + 8 + 16, 31 + 31, 32 + 16 + 32);

    @Test
    void wireGuardDirectIsTheTransportHeaderBeforeAndPaddingAndTagAfter() {
        assertEquals(new PathOverhead(16, 31, 32), PathOverhead.WIREGUARD);
        assertEquals(1408, PathOverhead.WIREGUARD.payloadLimit(1452), "(1452 - 32) rounded down to 16");
        assertEquals(1200, PathOverhead.WIREGUARD.payloadLimit(PmtuDiscovery.BASE_UDP_PAYLOAD));
        assertEquals(32, PathOverhead.WIREGUARD.udpSize(0), "a keepalive");
        assertEquals(48, PathOverhead.WIREGUARD.udpSize(1), "padded to 16");
        assertEquals(1440, PathOverhead.WIREGUARD.udpSize(1408));
        assertThrows(IllegalArgumentException.class, () -> new PathOverhead(-1, 0, 0));
    }

    @Test
    void aNewPathStartsFromInitialValues() {
        PathState p = new PathState("cubic", 1452, PathOverhead.WIREGUARD);
        assertEquals(RttEstimator.INITIAL_RTT_NANOS, p.rtt.smoothed());
        assertEquals(0, p.rtt.samples());
        assertInstanceOf(Cubic.class, p.congestion);
        assertEquals(1200, p.congestion.maxDatagramSize(), "the base size's frame budget");
        assertEquals(CongestionController.initialWindow(1200), p.congestion.window());
        assertEquals(PmtuDiscovery.BASE_UDP_PAYLOAD, p.pmtu().udpPayloadSize());
        assertEquals(1452, p.pmtu().probeSizeDue(0), "the search tries the ceiling first");
        assertEquals(1452, p.ceiling());
        assertEquals(1200, p.maxPayload());
        assertEquals(1232, p.fullPacketSize());
        assertEquals(5, p.nextSendTime(5), "the first packet goes at once");
        assertEquals(Pacer.BURST_PACKETS * 1200L, p.pacer.tokens(), "from a full bucket");
        assertInstanceOf(NewReno.class, new PathState("newreno", 1452, PathOverhead.WIREGUARD).congestion);
    }

    @Test
    void theOverheadSetsTheFrameBudgetAndTheDatagramSize() {
        PathState p = new PathState("newreno", 1452, RELAYED);
        assertEquals(1152, p.maxPayload(), "(1232 - 80) rounded down to 16");
        assertEquals(1152, p.congestion.maxDatagramSize());
        assertEquals(CongestionController.initialWindow(1152), p.congestion.window());
        assertEquals(1232, p.fullPacketSize());
        assertEquals(1360, RELAYED.payloadLimit(1452), "a probe of the ceiling carries less than a direct one");
        assertEquals(1440, RELAYED.udpSize(1360));
    }

    @Test
    void anAcknowledgedProbeRaisesTheFrameBudgetAndARestartGoesBackToTheBase() {
        PathState p = new PathState("cubic", 1452, PathOverhead.WIREGUARD);
        SentFrames probe = new SentFrames();
        probe.probeSize = p.pmtu().probeSizeDue(0);
        p.pmtu().onProbeSent(probe.probeSize);
        p.onPacketAcked(probe, 0);
        assertEquals(1452, p.pmtu().udpPayloadSize());
        assertEquals(1408, p.maxPayload());
        assertEquals(1408, p.congestion.maxDatagramSize(), "the window counts in the new size");
        p.rtt.update(20_000_000L, 0, 1);

        p.restartPmtuDiscovery(1300, RELAYED);
        assertEquals(PmtuDiscovery.BASE_UDP_PAYLOAD, p.pmtu().udpPayloadSize(), "from the base again");
        assertEquals(1300, p.pmtu().probeSizeDue(0), "up to the new ceiling");
        assertEquals(1300, p.ceiling());
        assertEquals(RELAYED, p.overhead());
        assertEquals(1152, p.maxPayload());
        assertEquals(1152, p.congestion.maxDatagramSize());
        assertEquals(20_000_000L, p.rtt.smoothed(), "the RTT estimate stays");
    }
}
