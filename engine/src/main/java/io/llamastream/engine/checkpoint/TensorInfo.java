package io.llamastream.engine.checkpoint;

import java.util.Arrays;

/**
 * One tensor's header entry: name, element type, shape and byte range relative to the start of
 * the data section. Instances are only created after the range was validated against the file.
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return Math.toIntExact(shape[i]);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
