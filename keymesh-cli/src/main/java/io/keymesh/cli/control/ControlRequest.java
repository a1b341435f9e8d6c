package io.keymesh.cli.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.keymesh.cli.PeerKeys;
import io.keymesh.crypto.PublicKey;
import java.util.ArrayList;
import java.util.List;

/**
 * One request as an operation sees it: its fields, read with checks that turn a missing or bad
 * field into a {@link ControlError#BAD_REQUEST} naming it. Immutable.
 */
public final class ControlRequest {
    private final ObjectNode json;

    ControlRequest(ObjectNode json) {
        this.json = json;
    }

    /** The operation's name. */
    public String op() {
        return json.path(ControlProtocol.OP).asText();
    }

    /** The whole request object (read-only by convention). */
    public ObjectNode json() {
        return json;
    }

    /** True if {@code field} is present and not null. */
    public boolean has(String field) {
        return json.hasNonNull(field);
    }

    /** The string {@code field}. */
    public String string(String field) throws ControlError {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            throw bad(field + ": missing");
        }
        if (!v.isTextual()) {
            throw bad(field + ": must be a string, got " + v.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        return v.asText();
    }

    /** The string {@code field}, or {@code dflt} if it is absent or null. */
    public String string(String field, String dflt) throws ControlError {
        return has(field) ? string(field) : dflt;
    }

    /** The whole number {@code field} within {@code min..max}, or {@code dflt} if it is absent or null. */
    public long integer(String field, long dflt, long min, long max) throws ControlError {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw bad(field + ": must be a whole number, got " + v);
        }
        long n = v.asLong();
        if (n < min || n > max) {
            throw bad(field + ": must be " + min + ".." + max + ", got " + n);
        }
        return n;
    }

    /** The public key in {@code field} (base64 or base32). */
    public PublicKey key(String field) throws ControlError {
        String text = string(field);
        try {
            return PeerKeys.parse(text);
        } catch (IllegalArgumentException e) {
            throw bad(field + ": " + e.getMessage());
        }
    }

    /**
     * The routes in {@code field}: a list whose elements are a key (a route through one relay) or a
     * list of keys (a multi-hop route, relays in order); empty if absent or null.
     */
    public List<List<PublicKey>> routes(String field) throws ControlError {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw bad(field + ": must be a list of relay keys (or of lists of them, for multi-hop routes)");
        }
        List<List<PublicKey>> routes = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode r = v.get(i);
            List<PublicKey> route = new ArrayList<>();
            if (r.isTextual()) {
                route.add(key(field + "[" + i + "]", r));
            } else if (r.isArray()) {
                for (int j = 0; j < r.size(); j++) {
                    route.add(key(field + "[" + i + "][" + j + "]", r.get(j)));
                }
            } else {
                throw bad(field + "[" + i + "]: must be a key or a list of keys");
            }
            routes.add(route);
        }
        return routes;
    }

    private static PublicKey key(String where, JsonNode v) throws ControlError {
        if (!v.isTextual()) {
            throw bad(where + ": must be a key (a string)");
        }
        try {
            return PeerKeys.parse(v.asText());
        } catch (IllegalArgumentException e) {
            throw bad(where + ": " + e.getMessage());
        }
    }

    private static ControlError bad(String message) {
        return new ControlError(ControlError.BAD_REQUEST, message);
    }
}
