package io.llamastream.engine.weights;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.Optional;

/**
 * The JVM's object alignment, which decides where an array's elements start against a 16-byte
 * boundary. The packed kernels load weights 16 bytes at a time at multiples of 16 into an array.
 * With HotSpot's default 8-byte alignment an array's elements start at 0 or 8 mod 16, depending on
 * where it happened to be allocated, and at 8 one load in four straddles a cache line: a fresh
 * JVM's Q4_K_M decode measured 1.4x slower in some starts. {@code -XX:ObjectAlignmentInBytes=16}
 * (in the launcher and the chart) takes the chance away; this says so where it is missing.
 */
public final class ArrayAlignment {
    /** The alignment at which every packed load stays within one cache line. */
    public static final int WANTED_BYTES = 16;

    private static final String FLAG = "ObjectAlignmentInBytes";

    private ArrayAlignment() {}

    /** This JVM's object alignment in bytes (8, HotSpot's default, when it cannot be read). */
    public static int ofRunningJvm() {
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return Integer.parseInt(hotspot.getVMOption(FLAG).getValue());
        } catch (RuntimeException notHotSpot) {
            return 8;
        }
    }

    /** What to change when a JVM aligns objects to {@code bytes}, or nothing when that is enough. */
    public static Optional<String> advice(int bytes) {
        if (bytes >= WANTED_BYTES) {
            return Optional.empty();
        }
        return Optional.of("this JVM aligns objects to " + bytes + " bytes, so a packed weight array may start"
                + " 8 bytes off a 16-byte boundary and its kernels run up to 1.4x slower; add -XX:" + FLAG + "="
                + WANTED_BYTES + " to the JVM's options (the llamastream launcher and the Helm chart set it)");
    }
}
