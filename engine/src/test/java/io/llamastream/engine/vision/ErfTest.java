package io.llamastream.engine.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErfTest {
    /** Reference values from CPython's math.erf / math.erfc. */
    @ParameterizedTest
    @CsvSource({
        "0.5, 0.5204998778130465",
        "1.0, 0.8427007929497149",
        "2.0, 0.9953222650189527",
        "-0.1, -0.1124629160182849",
        "2.4999, 0.9995928300996666",
        "0.0, 0.0"
    })
    void erfMatchesReferenceTo1e15(double x, double expected) {
        assertEquals(expected, Erf.erf(x), 2e-15 * Math.max(1, Math.abs(expected)));
    }

    @ParameterizedTest
    @CsvSource({"3.0, 2.2090496998585438e-05", "5.0, 1.5374597944280351e-12", "2.5, 4.069520174449589e-04"})
    void erfcKeepsRelativeAccuracyInTheTail(double x, double expected) {
        assertEquals(expected, Erf.erfc(x), 1e-14 * expected);
    }

    @ParameterizedTest
    @CsvSource({"1.0, 0.8413447460685429", "-1.0, -0.15865525393145707", "-5.0, -1.4332578593959731e-06"})
    void geluIsXTimesNormalCdf(float x, double expected) {
        assertEquals(expected, VisionKernels.gelu(x), 1e-6 * Math.abs(expected));
    }
}
