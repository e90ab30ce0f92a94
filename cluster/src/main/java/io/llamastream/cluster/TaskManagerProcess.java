package io.llamastream.cluster;

/** A TaskManager JVM of a {@link StandaloneCluster}: its Flink resource id (also its REST id) and its process. */
public record TaskManagerProcess(String resourceId, JavaProcess process) {

    public long pid() {
        return process.pid();
    }
}
