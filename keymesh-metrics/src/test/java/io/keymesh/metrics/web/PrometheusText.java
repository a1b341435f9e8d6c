package io.keymesh.metrics.web;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prometheus's text exposition format (0.0.4), parsed for tests: each sample line
 * {@code name{label="value",...} number} becomes an entry keyed {@code name{label="value",...}}
 * with the labels sorted by name; comments ({@code # HELP}, {@code # TYPE}) are kept by metric family.
 */
final class PrometheusText {
    final Map<String, Double> samples = new LinkedHashMap<>();
    /** {@code # TYPE} of each family: counter, gauge, ... */
    final Map<String, String> types = new LinkedHashMap<>();

    static PrometheusText parse(String text) {
        PrometheusText p = new PrometheusText();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] f = line.substring(7).split(" ");
                p.types.put(f[0], f[1]);
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            int i = 0;
            while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
                i++;
            }
            String name = line.substring(0, i);
            TreeMap<String, String> labels = new TreeMap<>();
            if (i < line.length() && line.charAt(i) == '{') {
                i++;
                while (line.charAt(i) != '}') {
                    int eq = line.indexOf('=', i);
                    String label = line.substring(i, eq);
                    StringBuilder v = new StringBuilder();
                    int j = eq + 2; // after ="
                    for (; line.charAt(j) != '"'; j++) {
                        char c = line.charAt(j);
                        if (c == '\\') {
                            char n = line.charAt(++j);
                            v.append(n == 'n' ? '\n' : n);
                        } else {
                            v.append(c);
                        }
                    }
                    labels.put(label, v.toString());
                    i = j + 1;
                    if (line.charAt(i) == ',') {
                        i++;
                    }
                }
                i++;
            }
            String value = line.substring(i).strip().split(" ")[0];
            p.samples.put(key(name, labels), Double.parseDouble(value));
        }
        return p;
    }

    /** The key of a sample: {@code name{a="1",b="2"}}, labels sorted, or {@code name} without labels. */
    static String key(String name, Map<String, String> labels) {
        if (labels.isEmpty()) {
            return name;
        }
        StringBuilder s = new StringBuilder(name).append('{');
        new TreeMap<>(labels).forEach((k, v) -> s.append(k).append("=\"").append(v).append("\","));
        s.setLength(s.length() - 1);
        return s.append('}').toString();
    }

    /** The value of the sample, failing if there is none. */
    double get(String name, Map<String, String> labels) {
        Double v = samples.get(key(name, labels));
        if (v == null) {
            throw new AssertionError("no sample " + key(name, labels) + " among " + samples.keySet());
        }
        return v;
    }
}
