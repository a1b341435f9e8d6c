package io.keymesh.sim.node;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a soak run found: breaches of the channel contract (each one a failure), losses the
 * application was told of and their causes, and how long each flow took to carry traffic again after
 * a churn event. Only counts and the first {@link #KEPT} descriptions of each kind are kept, so it
 * does not grow with the run's length. Simulation thread only.
 */
final class SoakFindings {
    static final int KEPT = 40;

    /** Breaches of the contract: a message repeated, reordered, corrupted, misattributed, or lost unreported. */
    final List<String> violations = new ArrayList<>();
    long violationCount;
    /** Connections lost (as the sender's handle reported) with neither end having restarted since the handle was made. */
    final List<String> unexplainedLosses = new ArrayList<>();
    long unexplainedLossCount;
    /** Accepted messages that never arrived, on connections the sender was told were lost, by cause. */
    final Map<String, Long> messagesLostReported = new TreeMap<>();
    /** Connection losses the sender was told of, by the first words of the reason. */
    final Map<String, Long> lossReasons = new TreeMap<>();
    /** Flows that had not delivered within the bound after a churn event, described. */
    final List<String> slowReconnects = new ArrayList<>();
    long slowReconnectCount;
    /** Time from a churn event to the first delivery of a message sent after it, by kind of event. */
    final Map<String, List<Long>> reconnectNanos = new TreeMap<>();

    void violation(String what) {
        violationCount++;
        if (violations.size() < KEPT) {
            violations.add(what);
        }
    }

    void unexplainedLoss(String what) {
        unexplainedLossCount++;
        if (unexplainedLosses.size() < KEPT) {
            unexplainedLosses.add(what);
        }
    }

    void slowReconnect(String what) {
        slowReconnectCount++;
        if (slowReconnects.size() < KEPT) {
            slowReconnects.add(what);
        }
    }

    void reconnected(String cause, long nanos) {
        reconnectNanos.computeIfAbsent(cause, k -> new ArrayList<>()).add(nanos);
    }

    void lostReported(String cause, long messages) {
        messagesLostReported.merge(cause, messages, Long::sum);
    }

    void lossReason(String reason) {
        String key = reason == null ? "?" : reason.length() > 40 ? reason.substring(0, 40) : reason;
        lossReasons.merge(key, 1L, Long::sum);
    }

    /** Reconnections counted so far, all causes. */
    long reconnections() {
        return reconnectNanos.values().stream().mapToLong(List::size).sum();
    }
}
