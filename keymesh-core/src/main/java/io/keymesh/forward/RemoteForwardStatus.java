package io.keymesh.forward;

/**
 * Where a {@link RemoteForward} stands: whether the peer listens for it now, and why not if it
 * does not (its refusal, or what ended its listener), or null.
 */
public record RemoteForwardStatus(RemoteForward forward, boolean listening, String problem) {}
