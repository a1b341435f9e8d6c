/**
 * A deterministic discrete-event network simulator with a virtual clock, for testing networked code
 * (keymesh's own nodes or anything written against UDP sockets) under latency, loss, duplication,
 * reordering, bandwidth limits, MTU limits, partitions and NATs, quickly and reproducibly.
 *
 * <p>Everything hangs off one {@link io.keymesh.sim.Simulation}: a virtual clock in nanoseconds, an
 * event queue and a seeded random generator. {@link io.keymesh.sim.Network}s are IPv4 broadcast
 * domains; {@link io.keymesh.sim.Host}s attach to them through {@link io.keymesh.sim.Link}s, whose two
 * {@link io.keymesh.sim.LinkDirection}s apply {@link io.keymesh.sim.LinkConditions}; hosts open
 * {@link io.keymesh.sim.VirtualUdpSocket}s. A {@link io.keymesh.sim.Nat} joins an outer network to
 * an inner one with the behaviours of RFC 4787, and NATs nest (carrier-grade NAT).
 * {@link io.keymesh.sim.Partition}s cut sets of nodes apart and heal.
 *
 * <p>Determinism: for a given seed and the same sequence of calls, a run is identical, event for event.
 * Nothing reads the wall clock, starts a thread or iterates a hash-ordered collection. Events at the
 * same virtual time run in the order they were scheduled.
 *
 * <p>Thread-safety: none. A simulation and everything in it belong to the one thread that runs it;
 * callbacks run on that thread, inside {@code Simulation.run*}.
 */
package io.keymesh.sim;
