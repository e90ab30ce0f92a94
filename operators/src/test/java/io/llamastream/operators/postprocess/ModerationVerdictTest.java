package io.llamastream.operators.postprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModerationVerdictTest {
    @Test
    void unsafeWithTwoCategories() {
        ModerationVerdict v = ModerationVerdict.parse("unsafe\nS1,S11", List.of(), 0.93);
        assertFalse(v.safe());
        assertEquals(List.of("S1", "S11"), v.categories());
        assertEquals(
                "{\"safe\":false,\"categories\":[\"S1\",\"S11\"],\"score\":0.93}",
                v.toJson().toString());
    }

    @Test
    void safeHasNoCategories() {
        ModerationVerdict v = ModerationVerdict.parse("safe", List.of(), 0.01);
        assertTrue(v.safe());
        assertEquals(
                "{\"safe\":true,\"categories\":[],\"score\":0.01}", v.toJson().toString());
    }

    @Test
    void excludedCategoryIsDroppedAndOthersKept() {
        assertEquals(
                List.of("S9"),
                ModerationVerdict.parse("unsafe\nS2, S9", List.of("S2"), 0.5).categories());
    }

    @Test
    void unsafeOnlyForExcludedCategoriesCountsAsSafe() {
        assertTrue(ModerationVerdict.parse("unsafe\nS7", List.of("S7"), 0.8).safe());
    }

    @Test
    void unknownCategoryCodesAreIgnored() {
        assertEquals(
                List.of("S14"),
                ModerationVerdict.parse("unsafe\nS15,S14,S0", List.of(), 1).categories());
    }

    @Test
    void replyThatIsNoVerdictIsAFormatError() {
        assertThrows(ReplyFormatException.class, () -> ModerationVerdict.parse("maybe\nS1", List.of(), 0.5));
    }
}
