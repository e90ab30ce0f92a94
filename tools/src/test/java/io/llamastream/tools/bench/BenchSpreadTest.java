package io.llamastream.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchSpreadTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static ObjectNode run(double batch32, double prefill) {
        ObjectNode r = JSON.createObjectNode();
        r.putObject("batch_tokens_per_s").put("32", batch32);
        r.put("prefill_gflops", prefill);
        r.put("model", "bench-model");
        return r;
    }

    @Test
    void everyNumericFigureGetsMinMedianMaxAndTheRatio() {
        ObjectNode s = BenchSpread.of(List.of(run(46.5, 89.2), run(12.5, 22.7), run(40.0, 85.0)));
        assertEquals(12.5, s.path("batch_tokens_per_s.32").path("min").asDouble());
        assertEquals(40.0, s.path("batch_tokens_per_s.32").path("median").asDouble());
        assertEquals(46.5, s.path("batch_tokens_per_s.32").path("max").asDouble());
        assertEquals(46.5 / 12.5, s.path("batch_tokens_per_s.32").path("spread").asDouble(), 1e-12);
        assertEquals(3, s.path("prefill_gflops").path("runs").asInt());
        assertTrue(s.path("model").isMissingNode(), "text fields have no spread");
    }

    @Test
    void theTableListsTheWidestSpreadFirst() {
        String table = BenchSpread.table(BenchSpread.of(List.of(run(40, 80), run(20, 79))));
        assertTrue(table.indexOf("batch_tokens_per_s.32") < table.indexOf("prefill_gflops"), table);
        assertTrue(table.contains("2.00"), table);
    }
}
