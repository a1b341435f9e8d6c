/**
 * The primitives WireGuard is built from: X25519, ChaCha20-Poly1305, XChaCha20-Poly1305, BLAKE2s,
 * HMAC-BLAKE2s and WireGuard's HKDF, plus the key value types and their text encodings.
 *
 * <p>The JDK provides ChaCha20-Poly1305 (with intrinsics on JDK 25) and is used for it;
 * BouncyCastle provides X25519 (faster than the JDK's XDH) and BLAKE2s. HChaCha20, which neither
 * offers, is written here (RFC draft-irtf-cfrg-xchacha, section 2.2).
 */
package io.keymesh.crypto;
