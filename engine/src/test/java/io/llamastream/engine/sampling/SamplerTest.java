package io.llamastream.engine.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final float[] LOGITS = {1.0f, 3.0f, 2.9f, -1.0f, 0.5f, 3.0f};

    @Test
    void greedyPicksTheLargestLogitAndBreaksTiesToTheLowestId() {
        assertEquals(1, new Sampler(SamplingParams.greedy(1)).sample(LOGITS, 0, LOGITS.length));
    }

    @Test
    void sameSeedGivesTheSameDraws() {
        SamplingParams p = new SamplingParams(1.0, 0, 1, 0, 42, 1);
        Sampler a = new Sampler(p);
        Sampler b = new Sampler(p);
        for (int i = 0; i < 50; i++) {
            assertEquals(a.sample(LOGITS, 0, LOGITS.length), b.sample(LOGITS, 0, LOGITS.length));
        }
    }

    @Test
    void differentSeedsGiveDifferentSequences() {
        StringBuilder a = new StringBuilder();
        StringBuilder b = new StringBuilder();
        Sampler sa = new Sampler(new SamplingParams(2.0, 0, 1, 0, 1, 1));
        Sampler sb = new Sampler(new SamplingParams(2.0, 0, 1, 0, 2, 1));
        for (int i = 0; i < 40; i++) {
            a.append(sa.sample(LOGITS, 0, LOGITS.length));
            b.append(sb.sample(LOGITS, 0, LOGITS.length));
        }
        assertNotEquals(a.toString(), b.toString());
    }

    @Test
    void topKRestrictsDrawsToTheKBestTokens() {
        Sampler s = new Sampler(new SamplingParams(5.0, 2, 1, 0, 7, 1));
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            seen.add(s.sample(LOGITS, 0, LOGITS.length));
        }
        assertEquals(Set.of(1, 5), seen);
    }

    @Test
    void topPKeepsOnlyTheSmallestSetReachingTheMass() {
        float[] logits = {10f, 0f, 0f, 0f};
        Sampler s = new Sampler(new SamplingParams(1.0, 0, 0.9, 0, 3, 1));
        for (int i = 0; i < 200; i++) {
            assertEquals(0, s.sample(logits, 0, logits.length));
        }
    }

    @Test
    void minPDropsTokensFarBelowTheBest() {
        Sampler s = new Sampler(new SamplingParams(1.0, 0, 1, 0.5, 11, 1));
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            seen.add(s.sample(LOGITS, 0, LOGITS.length));
        }
        // exp(2.9 - 3.0) = 0.90 >= 0.5 stays; exp(1 - 3) = 0.14 goes.
        assertEquals(Set.of(1, 2, 5), seen);
    }

    @Test
    void samplingFollowsTheSoftmaxDistribution() {
        float[] logits = {0f, (float) Math.log(3)};
        Sampler s = new Sampler(new SamplingParams(1.0, 0, 1, 0, 5, 1));
        int ones = 0;
        for (int i = 0; i < 4000; i++) {
            ones += s.sample(logits, 0, 2);
        }
        assertTrue(Math.abs(ones / 4000.0 - 0.75) < 0.03, "fraction of token 1: " + ones / 4000.0);
    }

    @Test
    void invalidParametersAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(-1, 0, 1, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1, 0, 0, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1, 0, 1, 0, 0, 0));
    }

    @Test
    void candidatesAreOrderedByLogitThenIdAndSkipMaskedTokens() {
        float[] logits = {1.0f, 3.0f, Float.NEGATIVE_INFINITY, -2.5f, 3.0f, -100f};
        assertEquals(
                List.of(1, 4, 0, 3),
                Arrays.stream(Sampler.candidates(logits, 0, logits.length, 1.0))
                        .boxed()
                        .toList());
    }

    @Test
    void maskedTokensAreNeverSampled() {
        float[] logits = {Float.NEGATIVE_INFINITY, 0f, Float.NEGATIVE_INFINITY, 0f};
        Sampler s = new Sampler(new SamplingParams(1.5, 0, 1, 0, 9, 1));
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            seen.add(s.sample(logits, 0, logits.length));
        }
        assertEquals(Set.of(1, 3), seen);
    }
}
