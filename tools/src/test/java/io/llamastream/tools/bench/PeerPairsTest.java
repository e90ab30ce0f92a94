package io.llamastream.tools.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerPairsTest {
    /** A real second JVM running {@link StandInPeer} with {@code args}. */
    private static List<String> standIn(String... args) {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                StandInPeer.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    @Test
    void eachPairsRatioIsOursOverThePeersRateInThatPair() {
        double[] timed = {50, 30, 40, 80};
        int[] call = {0};
        try (PeerPairs peer = PeerPairs.start(standIn("100", "40"))) {
            // The warm pairs come first and are not kept.
            PeerPairs.Series tg = peer.run("tg", 128, 4, () -> {
                int c = call[0]++;
                return c < PeerPairs.WARM_PAIRS ? 1 : timed[c - PeerPairs.WARM_PAIRS];
            });
            assertEquals("tg128", tg.test());
            assertArrayEquals(new double[] {40, 40, 40, 40}, tg.peer());
            assertArrayEquals(new double[] {1.25, 0.75, 1.0, 2.0}, tg.ratios(), 1e-12);
            assertEquals(Math.pow(1.25 * 0.75 * 1.0 * 2.0, 0.25), tg.geomeanRatio(), 1e-12);
            assertEquals(3, tg.pairsAtLeastEven());
            assertEquals(1.125, tg.toJson().get("ratio_median").asDouble(), 1e-12);
        }
    }

    @Test
    void eachTestAsksThePeerForThatTest() {
        try (PeerPairs peer = PeerPairs.start(standIn("100", "40"))) {
            assertArrayEquals(
                    new double[] {100, 100}, peer.run("pp", 512, 2, () -> 150).peer());
            assertArrayEquals(
                    new double[] {40, 40}, peer.run("tg", 128, 2, () -> 50).peer());
        }
    }

    @Test
    void aPeerAnswerThatIsNotARateIsReportedWithTheAnswer() {
        try (PeerPairs peer = PeerPairs.start(standIn("100", "fast"))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> peer.run("tg", 128, 1, () -> 50));
            assertTrue(e.getMessage().contains("'tg fast' to 'tg 128'"), e.getMessage());
        }
    }

    @Test
    void aPeerThatExitsBeforeItIsReadyIsReportedWithItsExitCode() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PeerPairs.start(standIn("exit")));
        assertTrue(e.getMessage().contains("exited with code 3"), e.getMessage());
    }

    @Test
    void aModelFolderIsRefusedBecauseLlamaCppReadsGgufOnly(@TempDir Path dir) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> PeerPairs.llamaCppCommand(dir, dir, 2, 512, 128));
        assertTrue(e.getMessage().contains(".gguf"), e.getMessage());
    }

    @Test
    void aPeerFolderWithoutNodeLlamaCppIsRefusedWithTheRemedy(@TempDir Path dir) throws Exception {
        Path model = Files.createFile(dir.resolve("m.gguf"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> PeerPairs.llamaCppCommand(dir, model, 2, 512, 128));
        assertTrue(e.getMessage().contains("npm install"), e.getMessage());
    }
}
