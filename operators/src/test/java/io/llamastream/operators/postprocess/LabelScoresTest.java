package io.llamastream.operators.postprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class LabelScoresTest {
    @Test
    void highestLogProbabilityWinsAndProbabilitiesAreNormalisedOverLabels() {
        LabelScores s = new LabelScores(List.of("pos", "neg", "neu"), new double[] {-3.0, -0.5, -0.5 - Math.log(3)});
        assertEquals("neg", s.best());
        double[] p = s.probabilities();
        // exp(-0.5) : exp(-0.5)/3 = 3 : 1, and pos is e^-2.5 times neg
        assertEquals(3.0, p[1] / p[2], 1e-9);
        assertEquals(Math.exp(-2.5), p[0] / p[1], 1e-9);
        assertEquals(1.0, p[0] + p[1] + p[2], 1e-12);
    }

    @Test
    void tieGoesToTheFirstListedLabel() {
        assertEquals("b", new LabelScores(List.of("b", "a"), new double[] {-1, -1}).best());
    }
}
