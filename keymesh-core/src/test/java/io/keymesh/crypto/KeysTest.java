package io.keymesh.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link PublicKey}, {@link PrivateKey}, {@link PresharedKey} and their text forms. */
class KeysTest {
    private static final HexFormat HEX = HexFormat.of();

    // RFC 7748 section 6.1. Alice's private key is not clamped as given.
    private static final byte[] ALICE_PRIVATE = HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    private static final byte[] ALICE_PUBLIC = HEX.parseHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    private static final byte[] BOB_PUBLIC = HEX.parseHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    private static final byte[] SHARED = HEX.parseHex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

    /** A pair made by wireguard-tools 1.0: {@code wg genkey | tee k | wg pubkey}. */
    private static final String WG_PRIVATE = "GGd8O/ndxTPSup6KBYQYNrjqVZX1nEkK9F/K99gxcmI=";
    private static final String WG_PUBLIC = "QMzcHAXOTdtPAtQCx/cuPoC09Gnib0kl3DwZKh11jU8=";

    private static final String VALID_BASE64 = WG_PUBLIC;

    private static byte[] allOnes() {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) 0xff);
        return b;
    }

    // ---- PrivateKey: clamping and the derived public key ----

    @Test
    void privateKeyIsClampedAndDerivesThePublicKey() {
        byte[] raw = ALICE_PRIVATE.clone();
        PrivateKey key = PrivateKey.of(raw);
        assertArrayEquals(HEX.parseHex("70076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c6a"), key.toBytes());
        assertArrayEquals(ALICE_PUBLIC, key.publicKey().toBytes());
        assertArrayEquals(ALICE_PRIVATE, raw, "the caller's array is copied, not clamped in place");
    }

    @Test
    void wgGeneratedPairRoundTrips() {
        PrivateKey key = PrivateKey.fromBase64(WG_PRIVATE);
        assertEquals(WG_PRIVATE, key.toBase64());
        assertEquals(WG_PUBLIC, key.publicKey().toBase64());
        assertEquals(PublicKey.fromBase64(WG_PUBLIC), key.publicKey());
    }

    /**
     * {@code wg pubkey} clamps whatever it is given; these expected public keys are its output for the
     * all-ones, all-zeros and (unclamped) RFC 7748 Alice private keys.
     */
    @Test
    void unclampedKeysGiveWhatWgPubkeyGives() {
        PrivateKey ones = PrivateKey.fromBase64("//////////////////////////////////////////8=");
        assertEquals("+P///////////////////////////////////////38=", ones.toBase64());
        assertEquals("hHwNLDdSNPNl5mCVUYejc1oPdhPRYJ06ak2MU66qWiI=", ones.publicKey().toBase64());

        PrivateKey zeros = PrivateKey.fromBase64("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
        assertEquals("L+V9o0fNYkMVKNqsX7spBzD/9oSvxM/C7ZCZX1jLO3Q=", zeros.publicKey().toBase64());

        PrivateKey alice = PrivateKey.fromBase64("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=");
        assertEquals("hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=", alice.publicKey().toBase64());
    }

    @Test
    void generatedKeyIsClamped() {
        SecureRandom allOnes = new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                Arrays.fill(bytes, (byte) 0xff);
            }
        };
        PrivateKey key = PrivateKey.generate(allOnes);
        assertEquals("+P///////////////////////////////////////38=", key.toBase64());
        assertEquals("hHwNLDdSNPNl5mCVUYejc1oPdhPRYJ06ak2MU66qWiI=", key.publicKey().toBase64());
    }

    @Test
    void sharedSecretIsRfc7748Section61() {
        PrivateKey alice = PrivateKey.of(ALICE_PRIVATE);
        byte[] out = new byte[34];
        assertTrue(alice.sharedSecret(PublicKey.of(BOB_PUBLIC), out, 1));
        assertArrayEquals(SHARED, Arrays.copyOfRange(out, 1, 33));
    }

    @Test
    void sharedSecretWithALowOrderPublicKeyIsFalse() {
        PrivateKey alice = PrivateKey.of(ALICE_PRIVATE);
        assertFalse(alice.sharedSecret(PublicKey.of(new byte[32]), new byte[32], 0));
        byte[] one = new byte[32];
        one[0] = 1;
        assertFalse(alice.sharedSecret(PublicKey.of(one), new byte[32], 0));
    }

    // ---- text forms ----

    @Test
    void publicKeyTextForms() {
        PublicKey key = PublicKey.of(ALICE_PUBLIC);
        assertEquals("hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=", key.toBase64());
        // python3: base64.b32encode(bytes.fromhex("8520f009...")).lower().rstrip("=")
        String base32 = "quqpacmjgctvi5elpxolipxxlig36oqney4bv5hlusuy5ku3jzva";
        assertEquals(base32, key.toBase32());
        assertEquals(key, PublicKey.fromBase32(base32));
        assertEquals(key, PublicKey.fromBase32(base32.toUpperCase(Locale.ROOT)));
        assertEquals(key, PublicKey.fromBase64(key.toBase64()));
        assertEquals(key.toBase64(), key.toString(), "a public key shows as wg shows it");
    }

    @Test
    void base64RoundTripsForEveryKind() {
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 20; i++) {
            byte[] raw = new byte[32];
            random.nextBytes(raw);
            String text = Base64.getEncoder().encodeToString(raw);
            assertArrayEquals(raw, PublicKey.fromBase64(text).toBytes());
            assertArrayEquals(raw, PresharedKey.fromBase64(text).toBytes());
            assertEquals(text, PublicKey.fromBase64(text).toBase64());
            assertEquals(text, PresharedKey.fromBase64(text).toBase64());
            X25519.clamp(raw);
            String clamped = Base64.getEncoder().encodeToString(raw);
            assertEquals(clamped, PrivateKey.fromBase64(clamped).toBase64());
        }
    }

    @Test
    void surroundingWhitespaceIsStripped() {
        assertEquals(PublicKey.fromBase64(WG_PUBLIC), PublicKey.fromBase64("  " + WG_PUBLIC + "\n"));
    }

    @Test
    void equalityIsByKindAndContent() {
        PublicKey a = PublicKey.of(ALICE_PUBLIC);
        assertEquals(a, PublicKey.of(ALICE_PUBLIC.clone()));
        assertEquals(a.hashCode(), PublicKey.of(ALICE_PUBLIC.clone()).hashCode());
        assertNotEquals(a, PublicKey.of(BOB_PUBLIC));
        assertNotEquals(a, PresharedKey.of(ALICE_PUBLIC));
        assertNotEquals(a, null);
    }

    @Test
    void keysCopyTheirInputAndOutput() {
        byte[] raw = ALICE_PUBLIC.clone();
        PublicKey key = PublicKey.of(raw);
        raw[0] ^= 1;
        assertArrayEquals(ALICE_PUBLIC, key.toBytes());
        key.toBytes()[0] ^= 1;
        assertArrayEquals(ALICE_PUBLIC, key.toBytes());
    }

    // ---- bad input: IllegalArgumentException naming the kind of key ----

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "QMzcHAXOTdtPAtQCx/cuPoC09Gnib0kl3DwZKh11jU8",     // 43: padding dropped
        "QMzcHAXOTdtPAtQCx/cuPoC09Gnib0kl3DwZKh11jU8==",   // 45
        "QMzcHAXOTdtPAtQCx/cuPoC09Gnib0kl3DwZKh11jU8A",    // 44, no '='
        "QMzcHAXOTdtPAtQCx/cuPoC09Gnib0kl3DwZKh11jU8=QMzc", // trailing junk
        "idgnyhafzzg5wtyc2qbmp5zoh2alj5dj4jxusjo4hqmsuhlvrvhq", // base32 given where base64 is wanted
    })
    void badBase64LengthIsRejectedWithTheLength(String text) {
        for (var kind : KINDS) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> kind.parse.apply(text));
            assertTrue(e.getMessage().startsWith(kind.name + ": ") && e.getMessage().contains("44 characters"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("got " + text.strip().length()), e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "QMzcHAXOTdtPAtQCx/cuPoC09Gnib0kl3DwZKh11j!8=",
        "QMzcHAXOTdtPAtQCx-cuPoC09Gnib0kl3DwZKh11jU8=", // URL-safe alphabet
        "QMzcHAXOTdtPAtQCx/cuPoC09Gnib0kl3DwZ h11jU8=",
        "QMzcHAXOTdtPAtQCx/cuPoC09Gnib0kl3DwZKh11j=8=",
    })
    void badBase64CharacterIsRejected(String text) {
        for (var kind : KINDS) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> kind.parse.apply(text));
            assertTrue(e.getMessage().startsWith(kind.name + ": not base64"), e.getMessage());
        }
    }

    /** 'U8=' ends in 4 zero bits; 'U9=' sets one: the same 32 bytes in a second spelling. */
    @Test
    void nonCanonicalBase64IsRejected() {
        String text = "QMzcHAXOTdtPAtQCx/cuPoC09Gnib0kl3DwZKh11jU9=";
        for (var kind : KINDS) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> kind.parse.apply(text));
            assertTrue(e.getMessage().startsWith(kind.name + ": "), e.getMessage());
        }
    }

    /** 44 characters ending in "==" is valid base64 for 31 bytes: right shape, wrong key length. */
    @Test
    void thirtyOneBytesIsRejected() {
        String text = Base64.getEncoder().encodeToString(new byte[31]);
        assertEquals(44, text.length());
        for (var kind : KINDS) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> kind.parse.apply(text));
            assertTrue(e.getMessage().contains(kind.name) && e.getMessage().contains("32 bytes, got 31"),
                    e.getMessage());
        }
    }

    @Test
    void nullTextIsRejected() {
        for (var kind : KINDS) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> kind.parse.apply(null));
            assertEquals(kind.name + ": no key given", e.getMessage());
        }
    }

    @Test
    void wrongRawLengthIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PublicKey.of(new byte[31]));
        assertEquals("public key must be 32 bytes, got 31", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PrivateKey.of(new byte[33]));
        assertEquals("private key must be 32 bytes, got 33", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PresharedKey.of(null));
        assertEquals("pre-shared key must be 32 bytes, got null", e.getMessage());
    }

    @Test
    void badBase32IsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PublicKey.fromBase32(WG_PUBLIC));
        assertEquals("public key: a base32 key is 52 characters, got 44", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PublicKey.fromBase32(null));
        assertEquals("public key: a base32 key is 52 characters, got null", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PublicKey.fromBase32("quqpacmjgctvi5elpxolipxxlig36oqney4bv5hlusuy5ku3jzv1"));
        assertTrue(e.getMessage().startsWith("public key: not base32: character '1'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PublicKey.fromBase32("quqpacmjgctvi5elpxolipxxlig36oqney4bv5hlusuy5ku3jzvb"));
        assertEquals("public key: not base32: non-zero trailing bits", e.getMessage());
    }

    // ---- PrivateKey.close ----

    @Test
    void closeWipesTheKeyAndLaterUseThrows() {
        PrivateKey key = PrivateKey.fromBase64(WG_PRIVATE);
        PublicKey pub = key.publicKey();
        key.close();
        assertArrayEquals(new byte[32], key.bytes, "closed key still holds its bytes");
        for (Runnable use : new Runnable[] {
            key::toBytes, key::toBase64, key::toBase32, () -> key.sharedSecret(pub, new byte[32], 0),
        }) {
            IllegalStateException e = assertThrows(IllegalStateException.class, use::run);
            assertEquals("private key is closed", e.getMessage());
        }
        key.close(); // idempotent
        assertEquals(WG_PUBLIC, key.publicKey().toBase64(), "the public half is not secret and stays");
        assertEquals("PrivateKey(public " + WG_PUBLIC + ")", key.toString());
    }

    @Test
    void tryWithResourcesCloses() {
        PrivateKey outside;
        try (PrivateKey key = PrivateKey.fromBase64(WG_PRIVATE)) {
            outside = key;
            assertEquals(WG_PRIVATE, key.toBase64());
        }
        assertThrows(IllegalStateException.class, outside::toBase64);
    }

    // ---- toString never shows secrets ----

    @Test
    void privateKeyToStringShowsOnlyThePublicKey() {
        PrivateKey key = PrivateKey.fromBase64(WG_PRIVATE);
        String s = key.toString();
        assertEquals("PrivateKey(public " + WG_PUBLIC + ")", s);
        assertNoSecretIn(s, key.toBytes());
    }

    @Test
    void presharedKeyToStringShowsNothing() {
        PresharedKey psk = PresharedKey.fromBase64(WG_PRIVATE);
        assertEquals("PresharedKey(…)", psk.toString());
        assertNoSecretIn(psk.toString(), psk.toBytes());
        assertEquals("PresharedKey(…)", PresharedKey.ZERO.toString());
    }

    private static void assertNoSecretIn(String s, byte[] secret) {
        String lower = s.toLowerCase(Locale.ROOT);
        for (String form : new String[] {
            Base64.getEncoder().encodeToString(secret),
            Base64.getEncoder().withoutPadding().encodeToString(secret).substring(0, 12),
            Base64.getUrlEncoder().encodeToString(secret).substring(0, 12),
            Base32.encode(secret).substring(0, 12),
            HEX.formatHex(secret).substring(0, 12),
        }) {
            assertFalse(lower.contains(form.toLowerCase(Locale.ROOT)), "\"" + s + "\" shows " + form);
        }
        assertFalse(s.contains(Arrays.toString(secret).substring(0, 12)), s);
    }

    // ---- PresharedKey ----

    @Test
    void presharedKeyZeroAndGenerate() {
        assertArrayEquals(new byte[32], PresharedKey.ZERO.toBytes());
        assertArrayEquals(new byte[32], PresharedKey.ZERO.raw());
        assertEquals("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", PresharedKey.ZERO.toBase64());
        SecureRandom allOnes = new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                Arrays.fill(bytes, (byte) 0xff);
            }
        };
        // Unlike a private key, a pre-shared key is not clamped.
        assertArrayEquals(allOnes(), PresharedKey.generate(allOnes).toBytes());
    }

    private record Kind(String name, Function<String, Key32> parse) {}

    private static final Kind[] KINDS = {
        new Kind("public key", PublicKey::fromBase64),
        new Kind("private key", PrivateKey::fromBase64),
        new Kind("pre-shared key", PresharedKey::fromBase64),
    };
}
