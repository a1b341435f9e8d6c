package io.keymesh.overlay;

/** The links an {@link Overlay} sends on: relay frames ({@link RelayLinks}) and seeks ({@link SeekLinks}). */
public interface OverlayLinks extends RelayLinks, SeekLinks {
}
