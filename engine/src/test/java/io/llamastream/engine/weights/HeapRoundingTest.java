package io.llamastream.engine.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** Where each collector puts one large array, as the JVM's own rules say. */
class HeapRoundingTest {
    static final long MIB = 1L << 20;

    @Test
    void g1GivesAnArrayOfHalfARegionOrMoreWholeRegionsCountingItsHeader() {
        HeapRounding g1 = HeapRounding.g1(2 * MIB);
        assertEquals(6 * MIB, g1.footprint(4 * MIB), "4 MiB and a header: three regions");
        assertEquals(2 * MIB, g1.footprint(MIB - 16), "exactly half a region with its header: humongous");
        assertEquals(MIB - 17, g1.footprint(MIB - 17), "just under half a region: placed as it is");
    }

    @Test
    void g1PicksItsRegionFromTheHeapRoundingUpBetweenOneAndThirtyTwoMebibytes() {
        assertEquals(MIB, HeapRounding.g1ForHeap(512 * MIB).regionBytes());
        assertEquals(2 * MIB, HeapRounding.g1ForHeap(4L << 30).regionBytes());
        assertEquals(4 * MIB, HeapRounding.g1ForHeap(5L << 30).regionBytes(), "2.5 MiB rounds up");
        assertEquals(32 * MIB, HeapRounding.g1ForHeap(33L << 30).regionBytes());
        assertEquals(32 * MIB, HeapRounding.g1ForHeap(100L << 30).regionBytes());
    }

    @Test
    void zgcGivesAnArrayOverFourMebibytesItsOwnPagesOfTwo() {
        HeapRounding z = HeapRounding.z();
        assertEquals(4 * MIB - 16, z.footprint(4 * MIB - 16), "a medium object, in a shared page");
        assertEquals(6 * MIB, z.footprint(4 * MIB));
        assertEquals(22 * MIB, z.footprint(20 * MIB));
    }

    @Test
    void otherCollectorsPlaceArraysAsTheyAre() {
        assertEquals(20 * MIB, HeapRounding.none().footprint(20 * MIB));
    }

    @Test
    void theRunningJvmsCollectorIsTheOneItsManagementBeansName() {
        String names = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName)
                .reduce("", String::concat);
        HeapRounding.Collector expected = names.contains("G1")
                ? HeapRounding.Collector.G1
                : names.contains("ZGC") ? HeapRounding.Collector.Z : HeapRounding.Collector.OTHER;
        assertEquals(expected, HeapRounding.ofRunningJvm().collector());
    }
}
