package io.keymesh.pekko;

import java.util.function.BiFunction;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.EmptyLocalActorRef;
import org.apache.pekko.actor.InternalActorRef;

/**
 * Remembers what actor-path strings resolved to, so classic remoting does not parse the same
 * recipient and sender paths for every message it receives. Parsing a path costs a
 * {@code java.net.URI} parse, and a keymesh address's host is a 52-character key, which makes it
 * the largest single cost of receiving a small message. Artery keeps the same kind of cache.
 *
 * <p>Direct-mapped: each path hashes to one slot, and a new path simply replaces what was there.
 * Entries are immutable and slots are plain array elements, so threads may race on a slot: a reader
 * sees either an entry, another entry, or none, and every one of those is safe (a miss resolves
 * again). Not remembered: paths that resolve to nothing ({@link EmptyLocalActorRef}, which includes
 * dead letters), so an actor created later under that path is found, and ask replies' one-use
 * {@code /temp} addresses. A remembered actor that has since terminated is resolved again (and
 * forgotten), so a new incarnation under a uid-less path is found.
 */
final class ResolveCache {
    private static final int SLOTS = 1024;

    private record Entry(String path, Address localAddress, InternalActorRef ref) {}

    private final Entry[] slots = new Entry[SLOTS];

    /**
     * What {@code path}, received on an association whose local address is {@code localAddress},
     * resolves to: the remembered reference, or {@code resolve}'s answer (remembered if cacheable).
     */
    InternalActorRef resolve(String path, Address localAddress, BiFunction<String, Address, InternalActorRef> resolve) {
        int h = path.hashCode();
        int slot = (h ^ (h >>> 16)) & (SLOTS - 1);
        Entry e = slots[slot];
        if (e != null && e.path.equals(path) && e.localAddress.equals(localAddress) && !e.ref.isTerminated()) {
            return e.ref;
        }
        InternalActorRef ref = resolve.apply(path, localAddress);
        if (!(ref instanceof EmptyLocalActorRef) && !ref.isTerminated() && !isTemporary(ref)) {
            slots[slot] = new Entry(path, localAddress, ref);
        } else if (e != null && e.ref.isTerminated()) {
            slots[slot] = null; // let the terminated actor go
        }
        return ref;
    }

    /**
     * True for an ask's reply address ({@code /temp/...}): used once, so remembering it would only
     * push out a path that comes again, and keep the reply's promise reachable.
     */
    private static boolean isTemporary(InternalActorRef ref) {
        scala.collection.immutable.Iterable<String> elements = ref.path().elements();
        return !elements.isEmpty() && "temp".equals(elements.head());
    }
}
