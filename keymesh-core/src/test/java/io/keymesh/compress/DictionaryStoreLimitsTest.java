package io.keymesh.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link DictionaryStore#MAX_DICTIONARIES} driven to the limit: a store holds 32 dictionaries,
 * every version counted; a 33rd (a new version of one of them) is reported as a problem and not
 * held, while the 32 stay; a configuration naming 33 is refused.
 */
class DictionaryStoreLimitsTest {
    private static final long FIRST_ID = 1000;

    @Test
    void aThirtyThirdDictionaryIsReportedAsAProblemAndNotHeld() throws Exception {
        assertEquals(32, DictionaryStore.MAX_DICTIONARIES);
        byte[] trained = TestDictionaries.trained(5);
        List<DictionarySource> sources = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < DictionaryStore.MAX_DICTIONARIES; i++) {
            Path f = TestDictionaries.file(TestDictionaries.withId(trained, FIRST_ID + i));
            files.add(f);
            sources.add(DictionarySource.file("d" + i, f));
        }
        DictionaryStore store = DictionaryStore.open(CompressionConfig.DEFAULT.withDictionaries(sources));
        assertEquals(DictionaryStore.MAX_DICTIONARIES, store.dictionaries().size());

        Files.write(files.get(3), TestDictionaries.withId(trained, FIRST_ID + 100)); // d3 retrained: a 33rd version
        DictionaryStore.Reload r = store.reload();
        assertEquals(List.of(), r.added());
        assertEquals(List.of("dictionary d3 (" + files.get(3) + "): 32 dictionaries are held already (every version "
                + "counts; a restart drops the old ones)"), r.problems());
        assertEquals(DictionaryStore.MAX_DICTIONARIES, store.dictionaries().size());
        for (int i = 0; i < DictionaryStore.MAX_DICTIONARIES; i++) {
            assertNotNull(store.byId(FIRST_ID + i), "dictionary " + i + " is still held");
        }
        assertEquals(null, store.byId(FIRST_ID + 100));

        List<DictionarySource> tooMany = new ArrayList<>(sources);
        tooMany.add(DictionarySource.file("d32", files.getFirst()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CompressionConfig.DEFAULT.withDictionaries(tooMany));
        assertEquals("33 dictionaries; at most 32", e.getMessage());
    }
}
