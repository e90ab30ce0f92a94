package io.llamastream.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The spread of every figure over repeated {@code bench} runs ({@code --repeat N}): for each
 * numeric field (by its dotted path, e.g. {@code decode.q8.tokens_per_s}) the minimum, median and
 * maximum and the ratio max / min, so an unstable figure (a collapsed batched run) shows as a
 * large ratio instead of hiding in one lucky table.
 */
final class BenchSpread {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BenchSpread() {}

    /** {@code {path: {min, median, max, spread}}} over the runs, in the first run's field order. */
    static ObjectNode of(List<ObjectNode> runs) {
        Map<String, List<Double>> values = new LinkedHashMap<>();
        for (ObjectNode run : runs) {
            collect("", run, values);
        }
        ObjectNode out = JSON.createObjectNode();
        values.forEach((path, list) -> {
            double[] v = list.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            ObjectNode f = out.putObject(path);
            f.put("runs", v.length);
            f.put("min", v[0]);
            f.put("median", median(v));
            f.put("max", v[v.length - 1]);
            f.put("spread", v[0] > 0 ? v[v.length - 1] / v[0] : Double.NaN);
        });
        return out;
    }

    /** The median of {@code values} (the mean of the middle two for an even count); NaN for none. */
    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static void collect(String prefix, JsonNode node, Map<String, List<Double>> values) {
        node.fields().forEachRemaining(e -> {
            String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (e.getValue().isNumber()) {
                values.computeIfAbsent(path, k -> new ArrayList<>())
                        .add(e.getValue().asDouble());
            } else if (e.getValue().isObject()) {
                collect(path, e.getValue(), values);
            }
        });
    }

    /** One line per figure, widest spread first. */
    static String table(ObjectNode spread) {
        List<Map.Entry<String, JsonNode>> rows = new ArrayList<>();
        spread.fields().forEachRemaining(rows::add);
        rows.sort((a, b) -> Double.compare(
                b.getValue().path("spread").asDouble(0),
                a.getValue().path("spread").asDouble(0)));
        StringBuilder sb = new StringBuilder(
                String.format("%-48s %12s %12s %12s %8s%n", "figure", "min", "median", "max", "max/min"));
        for (Map.Entry<String, JsonNode> r : rows) {
            JsonNode f = r.getValue();
            sb.append(String.format(
                    "%-48s %12.4g %12.4g %12.4g %8.2f%n",
                    r.getKey(),
                    f.path("min").asDouble(),
                    f.path("median").asDouble(),
                    f.path("max").asDouble(),
                    f.path("spread").asDouble()));
        }
        return sb.toString();
    }
}
