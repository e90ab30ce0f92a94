package io.llamastream.engine.checkpoint.gguf;

import io.llamastream.engine.checkpoint.ModelFormatException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A GGUF file's metadata key/values with typed accessors that name the file and the key when a
 * value is missing or of the wrong type. Values are held as: {@code Long} (every integer type;
 * u64 keeps its bits), {@code Double} (f32, f64), {@code Boolean}, {@code String}, and arrays as
 * {@code long[]}, {@code double[]}, {@code boolean[]}, {@code String[]} or {@code Object[]}
 * (arrays of arrays). Keys are architecture-neutral: callers pass e.g. {@code "llama4."} or
 * {@code "llama."} as the prefix of the hyper-parameters they read.
 */
public final class GgufMetadata {
    private static final int UINT8 = 0;
    private static final int INT8 = 1;
    private static final int UINT16 = 2;
    private static final int INT16 = 3;
    private static final int UINT32 = 4;
    private static final int INT32 = 5;
    private static final int FLOAT32 = 6;
    private static final int BOOL = 7;
    private static final int STRING = 8;
    private static final int ARRAY = 9;
    private static final int UINT64 = 10;
    private static final int INT64 = 11;
    private static final int FLOAT64 = 12;
    /** Arrays of arrays are allowed this deep (GGUF writers use one level at most). */
    private static final int MAX_NESTING = 3;

    private final Path path;
    private final Map<String, Object> values;

    private GgufMetadata(Path path, Map<String, Object> values) {
        this.path = path;
        this.values = values;
    }

    static GgufMetadata read(HeaderReader in, long count) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (long i = 0; i < count; i++) {
            String key = in.string("metadata key #" + i);
            int type = in.i32("type of '" + key + "'");
            Object v = value(in, key, type, 0);
            if (values.put(key, v) != null) {
                throw in.fail("metadata key '" + key + "' appears twice");
            }
        }
        return new GgufMetadata(in.path(), values);
    }

    private static Object value(HeaderReader in, String key, int type, int depth) {
        switch (type) {
            case UINT8:
                return (long) in.u8(key);
            case INT8:
                return (long) (byte) in.u8(key);
            case UINT16:
                return (long) (in.i16(key) & 0xFFFF);
            case INT16:
                return (long) in.i16(key);
            case UINT32:
                return in.i32(key) & 0xFFFFFFFFL;
            case INT32:
                return (long) in.i32(key);
            case FLOAT32:
                return (double) in.f32(key);
            case BOOL:
                return in.u8(key) != 0;
            case STRING:
                return in.string("value of '" + key + "'");
            case UINT64:
            case INT64:
                return in.i64(key);
            case FLOAT64:
                return in.f64(key);
            case ARRAY:
                return array(in, key, depth);
            default:
                throw in.fail("metadata '" + key + "' has unknown value type " + Integer.toUnsignedString(type));
        }
    }

    private static Object array(HeaderReader in, String key, int depth) {
        if (depth >= MAX_NESTING) {
            throw in.fail("metadata '" + key + "' nests arrays deeper than " + MAX_NESTING);
        }
        int type = in.i32("element type of '" + key + "'");
        int n = (int) Math.min(Integer.MAX_VALUE, in.count("element count of '" + key + "'", minBytes(in, key, type)));
        switch (type) {
            case STRING: {
                String[] a = new String[n];
                for (int i = 0; i < n; i++) {
                    a[i] = in.string("element " + i + " of '" + key + "'");
                }
                return a;
            }
            case FLOAT32:
            case FLOAT64: {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (Double) value(in, key, type, depth);
                }
                return a;
            }
            case BOOL: {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    a[i] = in.u8(key) != 0;
                }
                return a;
            }
            case ARRAY: {
                Object[] a = new Object[n];
                for (int i = 0; i < n; i++) {
                    a[i] = array(in, key, depth + 1);
                }
                return a;
            }
            default: {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (Long) value(in, key, type, depth);
                }
                return a;
            }
        }
    }

    /** Bytes each element takes at least, so a count can be checked against the file before reading. */
    private static int minBytes(HeaderReader in, String key, int type) {
        switch (type) {
            case UINT8:
            case INT8:
            case BOOL:
                return 1;
            case UINT16:
            case INT16:
                return 2;
            case UINT32:
            case INT32:
            case FLOAT32:
                return 4;
            case UINT64:
            case INT64:
            case FLOAT64:
            case STRING:
                return 8;
            case ARRAY:
                return 12;
            default:
                throw in.fail("metadata '" + key + "' is an array of unknown type " + Integer.toUnsignedString(type));
        }
    }

    public Set<String> keys() {
        return Collections.unmodifiableSet(values.keySet());
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** The raw value (see the class comment for its Java type), or null. */
    public Object get(String key) {
        return values.get(key);
    }

    public String string(String key) {
        return typed(key, String.class, "a string");
    }

    public String string(String key, String fallback) {
        return has(key) ? string(key) : fallback;
    }

    /** An integer value that must be non-negative and fit an int (counts, sizes, ids). */
    public int uint(String key) {
        long v = typed(key, Long.class, "an integer");
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw fail("'" + key + "' is " + v + ", outside 0.." + Integer.MAX_VALUE);
        }
        return (int) v;
    }

    public int uint(String key, int fallback) {
        return has(key) ? uint(key) : fallback;
    }

    public double real(String key) {
        Object v = values.get(key);
        if (v instanceof Long l) {
            return l;
        }
        return typed(key, Double.class, "a number");
    }

    public double real(String key, double fallback) {
        return has(key) ? real(key) : fallback;
    }

    public boolean bool(String key, boolean fallback) {
        return has(key) ? typed(key, Boolean.class, "a boolean") : fallback;
    }

    public String[] strings(String key) {
        return typed(key, String[].class, "an array of strings");
    }

    public long[] longs(String key) {
        return typed(key, long[].class, "an array of integers");
    }

    private <T> T typed(String key, Class<T> type, String what) {
        Object v = values.get(key);
        if (v == null) {
            throw fail("metadata '" + key + "' is missing");
        }
        if (!type.isInstance(v)) {
            throw fail("metadata '" + key + "' is not " + what);
        }
        return type.cast(v);
    }

    public ModelFormatException fail(String problem) {
        return new ModelFormatException(path, problem);
    }
}
