/**
 * The WireGuard session layer as a sans-I/O state machine: the Noise {@code IKpsk2} handshake with
 * WireGuard's construction, cookies, keypairs, the anti-replay window and WireGuard's timers.
 *
 * <p>Nothing here reads a clock, opens a socket or starts a thread. The driver passes the current
 * monotonic time ({@code nowNanos}) into every call, hands in received datagrams, and receives what
 * to transmit through a {@link io.keymesh.session.Transmit} port and what to deliver, and what
 * happened, through {@link io.keymesh.session.SessionEvents}. Endpoints are opaque
 * ({@link io.keymesh.session.Endpoint}); the owner decides where a peer's packets go. It asks
 * {@link io.keymesh.session.SessionEngine#nextDeadline()} when to call
 * {@link io.keymesh.session.SessionEngine#onTimer(long)} again.
 */
package io.keymesh.session;
