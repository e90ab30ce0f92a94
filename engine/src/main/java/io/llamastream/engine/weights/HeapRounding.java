package io.llamastream.engine.weights;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * How a garbage collector places one large array in the Java heap, which for a model's weights is
 * most of the heap. G1 gives an array of half a region or more whole regions of its own (an array of
 * 4 MiB and a few bytes takes three 2 MiB regions); ZGC (JDK 17) gives an array over 4 MiB a page of
 * its own rounded up to 2 MiB; the other collectors place arrays as they are. {@link MemoryPlan}
 * counts the weights' arrays through this, so a load that would only fail on the collector's
 * rounding is refused before it starts.
 */
public record HeapRounding(Collector collector, long regionBytes) {

    /** The collectors whose placement differs. */
    public enum Collector {
        G1,
        Z,
        OTHER
    }

    /** What a JVM adds before an array's elements. */
    private static final long ARRAY_HEADER = 16;

    private static final long Z_GRANULE = 2L << 20;
    private static final long Z_MEDIUM_MAX = 4L << 20;

    /** G1 with {@code regionBytes} regions. */
    public static HeapRounding g1(long regionBytes) {
        return new HeapRounding(Collector.G1, regionBytes);
    }

    /**
     * G1 with the region size JDK 17 picks for a heap of {@code heapBytes}: heap / 2048 rounded up to a
     * power of two, within 1..32 MiB.
     */
    public static HeapRounding g1ForHeap(long heapBytes) {
        long region = 1L << 20;
        while (region < (32L << 20) && region < heapBytes / 2048) {
            region *= 2;
        }
        return g1(region);
    }

    public static HeapRounding z() {
        return new HeapRounding(Collector.Z, Z_GRANULE);
    }

    public static HeapRounding none() {
        return new HeapRounding(Collector.OTHER, 0);
    }

    /** The collector of this JVM, and G1's region size as it runs. */
    public static HeapRounding ofRunningJvm() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            String name = gc.getName();
            if (name.startsWith("G1")) {
                HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
                return g1(Long.parseLong(hotspot.getVMOption("G1HeapRegionSize").getValue()));
            }
            if (name.startsWith("ZGC")) {
                return z();
            }
        }
        return none();
    }

    /** The heap an array of {@code bytes} (elements only) takes. */
    public long footprint(long bytes) {
        long object = bytes + ARRAY_HEADER;
        return switch (collector) {
            case G1 -> object >= regionBytes / 2 ? roundUp(object, regionBytes) : bytes;
            case Z -> object > Z_MEDIUM_MAX ? roundUp(object, Z_GRANULE) : bytes;
            case OTHER -> bytes;
        };
    }

    @Override
    public String toString() {
        return switch (collector) {
            case G1 -> String.format(Locale.ROOT, "G1 with %d MiB regions", regionBytes >> 20);
            case Z -> "ZGC";
            case OTHER -> "the collector";
        };
    }

    private static long roundUp(long bytes, long unit) {
        return (bytes + unit - 1) / unit * unit;
    }
}
