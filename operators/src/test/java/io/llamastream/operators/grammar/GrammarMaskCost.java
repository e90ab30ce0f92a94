package io.llamastream.operators.grammar;

import io.llamastream.engine.testing.Fixtures;
import io.llamastream.engine.tokenizer.Tokenizer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Measures the grammar mask's cost per decode step in thread CPU time (which the other processes
 * on a loaded machine do not inflate) on the real Llama 4 o200k vocabulary: a reply's steps on a
 * warm grammar (the steady state), the first reply of a new schema (states computed on the way),
 * and the whole-vocabulary scan the index replaced. Not a test: run it by hand, see
 * docs/benchmarks.md. Argument: the tokenizer.json (default: the one in testdata/).
 */
public final class GrammarMaskCost {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final String REPLY = "{\"name\": \"Zoë Müller-Ström\", \"score\": 4.75, \"ok\": true, "
            + "\"tags\": [\"red\", 7, \"green\"], \"inner\": {\"n\": 31}}";
    private static final String REVIEW_SCHEMA =
            "{\"type\":\"object\",\"properties\":{\"summary\":{\"type\":\"string\"},"
                    + "\"rating\":{\"type\":\"integer\"}},\"required\":[\"summary\",\"rating\"]}";
    private static final String REVIEW = "{\"summary\": \"The coffee maker brews quickly, but the carafe's lid "
            + "leaks \\\"a lot\\\" when pouring; customer service replaced it within a week.\", \"rating\": 3}";

    private GrammarMaskCost() {}

    public static void main(String[] args) throws Exception {
        Path file =
                args.length > 0 ? Path.of(args[0]) : Fixtures.root().resolve("tokenizer/o200k-llama4-tokenizer.json");
        Tokenizer tokenizer = Tokenizer.fromTokenizerJson(file);
        long t0 = cpu();
        VocabularyIndex index = new VocabularyIndex(tokenizer);
        System.out.printf(
                "vocabulary %d tokens, trie %d nodes, index built in %.0f ms CPU%n",
                index.size(), index.trieNodes(), (cpu() - t0) / 1e6);
        int eot = tokenizer.tokenId("<|eot|>");
        measure("mixed schema", GrammarRandomModelTest.SCHEMA, REPLY, tokenizer, index, eot);
        measure("review schema", REVIEW_SCHEMA, REVIEW, tokenizer, index, eot);
    }

    private static void measure(
            String name, String schemaJson, String reply, Tokenizer tokenizer, VocabularyIndex index, int eot)
            throws Exception {
        SchemaNode schema = JsonMatcherTest.schema(schemaJson);
        int[] tokens = tokenizer.encodeOrdinary(reply);
        float[] logits = new float[tokenizer.vocabSize()];
        // Warm the JIT on throwaway grammars first, so "first reply" means a new schema, not a cold JVM.
        for (int i = 0; i < 20; i++) {
            replay(new Grammar(schema, index), tokens, eot, logits, null);
        }
        long[] cold = new long[tokens.length + 1];
        Grammar grammar = new Grammar(schema, index);
        replay(grammar, tokens, eot, logits, cold);
        long[] warm = new long[tokens.length + 1];
        long[] step = new long[tokens.length + 1];
        for (int i = 0; i < 200; i++) {
            replay(grammar, tokens, eot, logits, step);
            for (int s = 0; s < step.length; s++) {
                warm[s] = i == 0 ? step[s] : Math.min(warm[s], step[s]);
            }
        }
        long[] total = new long[tokens.length + 1];
        long start = cpu();
        int replies = 200;
        for (int i = 0; i < replies; i++) {
            replay(grammar, tokens, eot, logits, null);
        }
        double warmMean = (cpu() - start) / 1e3 / replies / total.length;
        int scanSteps = Math.min(8, tokens.length);
        JsonMatcher matcher = grammar.start();
        long scanStart = cpu();
        for (int s = 0; s < scanSteps; s++) {
            boolean[] allowed = WholeVocabularyScan.allowed(
                    WholeVocabularyScan.minRemaining(matcher, index, eot), eot, matcher.isComplete(), 1 << 20);
            for (int id = 0; id < allowed.length; id++) {
                if (!allowed[id]) {
                    logits[id] = Float.NEGATIVE_INFINITY;
                }
            }
            matcher.feedAll(index.bytes(tokens[s]));
        }
        double scanMean = (cpu() - scanStart) / 1e3 / scanSteps;
        System.out.printf(
                "%s: %d steps, %d states; CPU per step: warm mean %.1f us (fastest run of each step: "
                        + "median %.1f, max %.1f us); first reply mean %.0f us, max %.0f us; whole-vocabulary scan "
                        + "%.0f us%n",
                name,
                total.length,
                grammar.cachedStates(),
                warmMean,
                median(warm) / 1e3,
                Arrays.stream(warm).max().getAsLong() / 1e3,
                Arrays.stream(cold).average().getAsDouble() / 1e3,
                Arrays.stream(cold).max().getAsLong() / 1e3,
                scanMean);
    }

    /** Runs one reply's steps (one mask per token and one for the end), timing each into {@code perStep}. */
    private static void replay(Grammar grammar, int[] tokens, int eot, float[] logits, long[] perStep) {
        JsonGrammarProcessor processor = new JsonGrammarProcessor(grammar, eot, 4096);
        for (int count = 0; count <= tokens.length; count++) {
            long t = perStep == null ? 0 : cpu();
            processor.process(logits, 0, logits.length, tokens, count);
            if (perStep != null) {
                perStep[count] = cpu() - t;
            }
        }
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }
}
