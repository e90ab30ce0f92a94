package io.llamastream.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.checkpoint.ModelFormatException;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.engine.weights.KernelPathRuns;
import io.llamastream.engine.weights.WeightFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {
    static final Path TINY = Fixtures.model("tiny-scout");
    static final ModelRegistry.Key BF16 = new ModelRegistry.Key(TINY, WeightFormat.BF16, 2);

    @Test
    void usersOfTheSameModelShareOneLoad() {
        try (ModelRegistry registry = new ModelRegistry(Duration.ZERO);
                ModelRegistry.Lease a = registry.acquire(BF16);
                ModelRegistry.Lease b = registry.acquire(
                        new ModelRegistry.Key(TINY.resolve("..").resolve("tiny-scout"), WeightFormat.BF16, 2))) {
            assertSame(a.model(), b.model());
            assertEquals(1, registry.loads());
        }
    }

    @Test
    void anotherFormatOrThreadCountIsAnotherModel() {
        try (ModelRegistry registry = new ModelRegistry(Duration.ZERO);
                ModelRegistry.Lease bf16 = registry.acquire(BF16);
                ModelRegistry.Lease q8 = registry.acquire(new ModelRegistry.Key(TINY, WeightFormat.Q8, 2));
                ModelRegistry.Lease oneThread = registry.acquire(new ModelRegistry.Key(TINY, WeightFormat.BF16, 1))) {
            assertNotSame(bf16.model(), q8.model());
            assertNotSame(bf16.model(), oneThread.model());
            assertEquals(WeightFormat.Q8, q8.model().textModel().format());
            assertEquals(3, registry.loads());
        }
    }

    @Test
    void aModelReleasedWithinTheKeepAliveIsReusedWithoutLoading() {
        try (ModelRegistry registry = new ModelRegistry(Duration.ofHours(1))) {
            ModelRegistry.Lease first = registry.acquire(BF16);
            Llama4Model model = first.model();
            first.close();
            assertEquals(1, registry.size(), "kept alive after the last release");
            try (ModelRegistry.Lease again = registry.acquire(BF16)) {
                assertSame(model, again.model());
            }
            assertEquals(1, registry.loads());
            assertFalse(model.textModel().pool().isClosed());
        }
    }

    @Test
    void withoutKeepAliveTheLastReleaseDropsTheModelAndStopsItsThreads() {
        try (ModelRegistry registry = new ModelRegistry(Duration.ZERO)) {
            ModelRegistry.Lease first = registry.acquire(BF16);
            Llama4Model model = first.model();
            first.close();
            assertEquals(0, registry.size());
            assertTrue(model.textModel().pool().isClosed());
            try (ModelRegistry.Lease again = registry.acquire(BF16)) {
                assertNotSame(model, again.model());
            }
            assertEquals(2, registry.loads());
        }
    }

    @Test
    void aModelIsDroppedWhenItsKeepAliveEnds() throws Exception {
        try (ModelRegistry registry = new ModelRegistry(Duration.ofMillis(50))) {
            ModelRegistry.Lease lease = registry.acquire(BF16);
            Llama4Model model = lease.model();
            lease.close();
            for (int i = 0; i < 1000 && registry.size() > 0; i++) {
                Thread.sleep(10);
            }
            assertEquals(0, registry.size());
            assertTrue(model.textModel().pool().isClosed());
        }
    }

    @Test
    void closingALeaseTwiceReleasesOnce() {
        try (ModelRegistry registry = new ModelRegistry(Duration.ZERO);
                ModelRegistry.Lease kept = registry.acquire(BF16)) {
            ModelRegistry.Lease other = registry.acquire(BF16);
            other.close();
            other.close();
            assertEquals(1, registry.size(), "the first lease still holds the model");
            assertFalse(kept.model().textModel().pool().isClosed());
        }
    }

    @Test
    void closingTheRegistryDropsEveryModelEvenLeasedOnes() {
        ModelRegistry registry = new ModelRegistry(Duration.ofHours(1));
        ModelRegistry.Lease leased = registry.acquire(BF16);
        ModelRegistry.Lease kept = registry.acquire(new ModelRegistry.Key(TINY, WeightFormat.Q8, 2));
        kept.close();
        registry.close();
        assertEquals(0, registry.size());
        assertTrue(leased.model().textModel().pool().isClosed());
        assertTrue(kept.model().textModel().pool().isClosed());
        assertThrows(IllegalStateException.class, () -> registry.acquire(BF16));
        leased.close(); // after close: harmless
    }

    @Test
    void aFailedLoadLeavesNothingBehindAndIsNotCounted(@TempDir Path empty) {
        try (ModelRegistry registry = new ModelRegistry(Duration.ofHours(1))) {
            assertThrows(
                    ModelFormatException.class,
                    () -> registry.acquire(new ModelRegistry.Key(empty.resolve("missing"), WeightFormat.BF16, 2)));
            assertEquals(0, registry.size());
            assertEquals(0, registry.loads());
        }
    }

    @Test
    void theLoadsMemoryCheckCountsTheCallersKvBudget() {
        try (ModelRegistry registry = new ModelRegistry(Duration.ZERO)) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> registry.acquire(BF16, 1L << 50));
            assertTrue(e.getMessage().contains("KV cache 1048576.0 GiB"), e.getMessage());
            try (ModelRegistry.Lease small = registry.acquire(BF16, 1L << 20)) {
                assertEquals(1, registry.loads());
            }
        }
    }

    /** Multiplies of path {@code path} over every matrix of the model. */
    static long kernelRuns(Llama4Model model, int path) {
        return model.textModel().matrices().stream()
                .mapToLong(m -> KernelPathRuns.runs(m, path))
                .sum();
    }

    @Test
    void aLoadedModelIsWarmedUpBeforeItIsHandedOutAndNotWhenTakenAgain() {
        try (ModelRegistry registry =
                new ModelRegistry(Duration.ofHours(1), new KernelWarmup(2, 2, Duration.ofMinutes(10)))) {
            ModelRegistry.Lease first = registry.acquire(BF16);
            Llama4Model model = first.model();
            // tiny-scout as bf16 has three kinds: bf16 of 64 columns, bf16 of 96 (the experts' down), the f32 routers.
            long[] warmed = new long[KernelPathRuns.PATHS];
            for (int path = 0; path < warmed.length; path++) {
                warmed[path] = kernelRuns(model, path);
            }
            first.close();
            try (ModelRegistry.Lease again = registry.acquire(BF16)) {
                assertSame(model, again.model());
                for (int path = 0; path < warmed.length; path++) {
                    assertEquals(warmed[path], kernelRuns(model, path), "path " + path);
                }
            }
            assertEquals(
                    List.of(2L * 3, 2L * 3, 2L * 3, 2L * 3),
                    Arrays.stream(warmed).boxed().toList());
        }
    }

    @Test
    void aRegistryWithTheWarmUpOffHandsOutAModelNoKernelHasRun() {
        try (ModelRegistry registry = new ModelRegistry(Duration.ZERO, KernelWarmup.off());
                ModelRegistry.Lease lease = registry.acquire(BF16)) {
            for (int path = 0; path < KernelPathRuns.PATHS; path++) {
                assertEquals(0, kernelRuns(lease.model(), path), "path " + path);
            }
        }
    }

    @Test
    void theJvmRegistryStartsAfreshAfterItWasClosed() {
        ModelRegistry before = ModelRegistry.jvm();
        assertSame(before, ModelRegistry.jvm());
        ModelRegistry.closeJvm();
        assertTrue(before.isClosed());
        ModelRegistry after = ModelRegistry.jvm();
        assertNotSame(before, after);
        assertFalse(after.isClosed());
    }
}
