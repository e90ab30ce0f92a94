package io.llamastream.job;

/**
 * The job refused to start (an invalid configuration, or Kafka that cannot be reached or refuses the
 * credentials), with the reason and the exit code the command line gives it. Thrown out of
 * {@link LlamastreamJob#main} so that Flink fails the submission with this message.
 */
public final class JobNotStartedException extends RuntimeException {
    private final int exitCode;

    public JobNotStartedException(int exitCode, String reason) {
        super(reason);
        this.exitCode = exitCode;
    }

    /** 2: invalid configuration or command line; 3: the Kafka topic check failed. */
    public int exitCode() {
        return exitCode;
    }
}
