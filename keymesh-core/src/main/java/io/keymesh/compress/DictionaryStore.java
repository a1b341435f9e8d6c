package io.keymesh.compress;

import io.keymesh.wire.CompressionFrame;
import io.keymesh.wire.CompressionOffer;
import io.keymesh.wire.DictionaryRef;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A node's dictionaries, read from its {@link CompressionConfig}'s sources, and the
 * {@link CompressionOffer} it tells its peers. {@link #reload()} reads every source again: a source
 * whose content changed (a retrained dictionary) is taken as a new version beside the old ones,
 * which stay for the node's life — channels that use them keep them, and a peer may still be
 * sending with them. New channels use the newest version both sides hold. Dictionary ids are unique
 * on a node: content with an id already held for other content is refused.
 *
 * <p>Thread-safe: reads see an immutable snapshot; {@link #reload()} is serialised.
 */
public final class DictionaryStore {
    /** Dictionaries held at most, every version counted (all are offered, and one frame lists at most this many). */
    public static final int MAX_DICTIONARIES = CompressionFrame.MAX_DICTIONARIES;

    /** What a reload did: the versions added, and the problems (a source left at its previous version). */
    public record Reload(List<Dictionary> added, List<String> problems) {
        public Reload {
            added = List.copyOf(added);
            problems = List.copyOf(problems);
        }
    }

    /** An immutable view: every dictionary by id, each name's versions newest first, and the offer. */
    private record State(Map<Long, Dictionary> byId, Map<String, List<Dictionary>> byName, List<Dictionary> all,
            CompressionOffer offer) {}

    private final CompressionConfig config;
    private final boolean zstd;
    private volatile State state;
    private long offerVersion;

    private DictionaryStore(CompressionConfig config, boolean zstd) {
        this.config = config;
        this.zstd = zstd;
        this.state = new State(Map.of(), Map.of(), List.of(), null);
    }

    /**
     * The store for {@code config}, its dictionaries read.
     *
     * @throws IllegalArgumentException naming every source that could not be read or is not a dictionary
     */
    public static DictionaryStore open(CompressionConfig config) {
        DictionaryStore store = new DictionaryStore(config, config.enabled() && ZstdLibrary.available());
        Reload r = store.reload();
        if (!r.problems().isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", r.problems()));
        }
        return store;
    }

    /** A store with no dictionaries that offers zstd if {@code enabled} (and the library loads). */
    public static DictionaryStore empty(boolean enabled) {
        return open(new CompressionConfig(enabled, CompressionConfig.DEFAULT_LEVEL, List.of()));
    }

    /** True if the node compresses and decompresses (enabled, and zstd's library loads here). */
    public boolean zstd() {
        return zstd;
    }

    /** The zstd level. */
    public int level() {
        return config.level();
    }

    /** What the node tells its peers it decodes, or null (compression off or unavailable: nothing is offered). */
    public CompressionOffer offer() {
        return state.offer;
    }

    /** The dictionary with {@code id}, or null. */
    public Dictionary byId(long id) {
        return state.byId.get(id);
    }

    /** Every dictionary held, in the order loaded. */
    public List<Dictionary> dictionaries() {
        return state.all;
    }

    /**
     * The newest version of {@code name} that {@code peer} holds too (same id and content), or null
     * if it holds none (or decodes no zstd, or the name is unknown).
     */
    public Dictionary pick(String name, CompressionOffer peer) {
        if (peer == null || !peer.zstd()) {
            return null;
        }
        List<Dictionary> versions = state.byName.get(name);
        if (versions == null) {
            return null;
        }
        for (Dictionary d : versions) {
            if (peer.dictionaries().contains(d.ref())) {
                return d;
            }
        }
        return null;
    }

    /** Reads every source again; see the class comment. */
    public synchronized Reload reload() {
        State s = state;
        Map<Long, Dictionary> byId = new HashMap<>(s.byId);
        Map<String, List<Dictionary>> byName = new HashMap<>(s.byName);
        List<Dictionary> all = new ArrayList<>(s.all);
        List<Dictionary> added = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (DictionarySource source : config.dictionaries()) {
            String label = "dictionary " + source.name() + " (" + source.where() + ")";
            byte[] content;
            Dictionary parsed;
            List<Dictionary> versions = byName.getOrDefault(source.name(), List.of());
            try {
                content = source.read();
                parsed = Dictionary.parse(source.name(), versions.size() + 1, content, config.level(), source.where());
            } catch (IOException | IllegalArgumentException e) {
                problems.add(label + ": " + e.getMessage());
                continue;
            }
            if (!versions.isEmpty() && versions.getFirst().ref().equals(parsed.ref())) {
                continue; // unchanged
            }
            Dictionary held = byId.get(parsed.id());
            if (held != null && !held.ref().equals(parsed.ref())) {
                problems.add(label + ": dictionary id " + parsed.id() + " is already held for other content (" + held
                        + "); a retrained dictionary needs a new id");
                continue;
            }
            Dictionary version = held != null ? held : parsed;
            if (held == null) {
                if (all.size() >= MAX_DICTIONARIES) {
                    problems.add(label + ": " + MAX_DICTIONARIES + " dictionaries are held already (every version "
                            + "counts; a restart drops the old ones)");
                    continue;
                }
                if (zstd) {
                    try {
                        version.forCompression();
                        version.forDecompression();
                    } catch (RuntimeException e) {
                        problems.add(label + ": zstd refuses it: " + e.getMessage());
                        continue;
                    }
                }
                byId.put(version.id(), version);
                all.add(version);
            }
            List<Dictionary> newest = new ArrayList<>(versions.size() + 1);
            newest.add(version);
            newest.addAll(versions.stream().filter(d -> d != version).toList());
            byName.put(source.name(), List.copyOf(newest));
            added.add(version);
        }
        CompressionOffer offer = s.offer;
        if (zstd && (offer == null || !added.isEmpty())) {
            List<DictionaryRef> refs = new ArrayList<>();
            for (int i = all.size() - 1; i >= 0; i--) {
                refs.add(all.get(i).ref());
            }
            offer = new CompressionOffer(offerVersion++, true, refs);
        }
        state = new State(Map.copyOf(byId), Map.copyOf(byName), List.copyOf(all), offer);
        return new Reload(added, problems);
    }
}
