package io.keymesh.node;

/**
 * Whether a node still takes work: open until {@link MeshNode#close()}, or until its loop thread
 * stops on a failure. Any thread (volatile fields).
 */
final class RunState {
    private volatile boolean closed;
    /** What stopped the loop thread, if it stopped on a failure rather than by {@link MeshNode#close()}. */
    private volatile Throwable loopFailure;

    /** True once {@link #markClosed} was called. */
    boolean isClosed() {
        return closed;
    }

    void markClosed() {
        closed = true;
    }

    /** Loop thread, as it stops: {@code failure} stopped it. */
    void loopFailed(Throwable failure) {
        loopFailure = failure;
    }

    /** Throws {@link IllegalStateException} if the node is closed or its loop failed. */
    void ensureOpen() {
        if (!isOpen()) {
            throw stoppedException();
        }
    }

    /** False once the node is closed or its loop failed. */
    boolean isOpen() {
        return !closed && loopFailure == null;
    }

    /** What work refused by a closed or failed node is told: "node is closed", or what stopped the loop. */
    IllegalStateException stoppedException() {
        Throwable failure = loopFailure;
        return failure == null
                ? new IllegalStateException("node is closed")
                : new IllegalStateException("node failed: its loop thread stopped on " + failure, failure);
    }
}
