package io.keymesh.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * JSON-like records of 200 bytes to 2 KB (about 1 KB on average), as services send each other:
 * orders with a customer, items, addresses, tags and free text, keys and enumerations repeating
 * from record to record, identifiers, amounts and text varying. The same seed gives the same
 * records. For compression tests and benchmarks.
 */
public final class JsonRecords {
    private static final String[] TYPES = {"order.created", "order.paid", "order.shipped", "order.cancelled", "order.refunded"};
    private static final String[] FIRST = {"Ada", "Grace", "Linus", "Barbara", "Ken", "Margaret", "Dennis", "Frances",
        "Edsger", "Radia", "Tim", "Sophie", "Niklaus", "Hedy", "Alan", "Katherine"};
    private static final String[] LAST = {"Lovelace", "Hopper", "Torvalds", "Liskov", "Thompson", "Hamilton", "Ritchie",
        "Allen", "Dijkstra", "Perlman", "Berners-Lee", "Wilson", "Wirth", "Lamarr", "Turing", "Johnson"};
    private static final String[] CITIES = {"Berlin", "Lisbon", "Oslo", "Nairobi", "Osaka", "Lima", "Toronto", "Dublin"};
    private static final String[] PRODUCTS = {"keyboard", "monitor", "cable", "router", "laptop stand", "headset",
        "webcam", "dock", "mouse", "ssd", "charger", "microphone"};
    private static final String[] WORDS = {"please", "deliver", "before", "noon", "leave", "at", "the", "door", "gift",
        "wrap", "call", "on", "arrival", "fragile", "second", "floor", "back", "entrance", "thanks", "order"};
    private static final String[] STATUS = {"pending", "authorized", "captured", "in_transit", "delivered"};

    private JsonRecords() {}

    /** {@code count} records from {@code seed}, each 200..2048 bytes of UTF-8. */
    public static List<byte[]> generate(long seed, int count) {
        SplittableRandom r = new SplittableRandom(seed);
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(record(r, i));
        }
        return out;
    }

    private static byte[] record(SplittableRandom r, int n) {
        StringBuilder s = new StringBuilder(1024);
        int items = 1 + r.nextInt(6);
        s.append("{\"id\":\"").append(hex(r, 16)).append("\",\"type\":\"").append(pick(r, TYPES))
                .append("\",\"version\":").append(1 + r.nextInt(3))
                .append(",\"timestamp\":\"2025-").append(two(1 + r.nextInt(12))).append('-').append(two(1 + r.nextInt(28)))
                .append('T').append(two(r.nextInt(24))).append(':').append(two(r.nextInt(60))).append(':')
                .append(two(r.nextInt(60))).append('.').append(r.nextInt(100, 1000)).append("Z\"");
        String first = pick(r, FIRST);
        String last = pick(r, LAST);
        s.append(",\"customer\":{\"id\":").append(r.nextInt(1_000_000)).append(",\"name\":\"").append(first).append(' ')
                .append(last).append("\",\"email\":\"").append(first.toLowerCase()).append('.').append(last.toLowerCase())
                .append("@example.com\",\"tier\":\"").append(r.nextInt(4) == 0 ? "gold" : "standard").append("\"}");
        s.append(",\"status\":\"").append(pick(r, STATUS)).append("\",\"currency\":\"EUR\"");
        s.append(",\"items\":[");
        long total = 0;
        for (int i = 0; i < items; i++) {
            int qty = 1 + r.nextInt(5);
            int cents = 199 + r.nextInt(50_000);
            total += (long) qty * cents;
            s.append(i == 0 ? "" : ",").append("{\"sku\":\"SKU-").append(r.nextInt(10_000, 100_000)).append("\",\"name\":\"")
                    .append(pick(r, PRODUCTS)).append("\",\"quantity\":").append(qty).append(",\"unit_price\":")
                    .append(cents / 100).append('.').append(two(cents % 100)).append(",\"discount\":")
                    .append(r.nextInt(5) == 0 ? "0.10" : "0.00").append('}');
        }
        s.append("],\"total\":").append(total / 100).append('.').append(two((int) (total % 100)));
        if (r.nextInt(3) > 0) {
            s.append(",\"shipping\":{\"street\":\"").append(r.nextInt(1, 300)).append(' ').append(pick(r, LAST))
                    .append(" Street\",\"city\":\"").append(pick(r, CITIES)).append("\",\"postcode\":\"")
                    .append(r.nextInt(10_000, 100_000)).append("\",\"country\":\"").append(r.nextBoolean() ? "DE" : "PT")
                    .append("\",\"method\":\"").append(r.nextBoolean() ? "express" : "standard").append("\"}");
        }
        s.append(",\"tags\":[");
        int tags = r.nextInt(4);
        for (int i = 0; i < tags; i++) {
            s.append(i == 0 ? "" : ",").append('"').append(pick(r, WORDS)).append('"');
        }
        s.append("],\"note\":\"");
        int words = r.nextInt(40);
        for (int i = 0; i < words; i++) {
            s.append(i == 0 ? "" : " ").append(pick(r, WORDS));
        }
        s.append("\",\"trace\":{\"span\":\"").append(hex(r, 8)).append("\",\"parent\":\"").append(hex(r, 8))
                .append("\",\"sampled\":").append(r.nextBoolean()).append("},\"sequence\":").append(n).append('}');
        byte[] b = s.toString().getBytes(StandardCharsets.UTF_8);
        if (b.length < 200 || b.length > 2048) {
            return record(r, n); // outside the range: draw again (rare)
        }
        return b;
    }

    private static String pick(SplittableRandom r, String[] from) {
        return from[r.nextInt(from.length)];
    }

    private static String two(int v) {
        return v < 10 ? "0" + v : Integer.toString(v);
    }

    private static String hex(SplittableRandom r, int bytes) {
        StringBuilder s = new StringBuilder(bytes * 2);
        for (int i = 0; i < bytes; i++) {
            s.append(Character.forDigit(r.nextInt(16), 16)).append(Character.forDigit(r.nextInt(16), 16));
        }
        return s.toString();
    }
}
