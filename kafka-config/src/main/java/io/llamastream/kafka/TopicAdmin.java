package io.llamastream.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Makes topics ready before the job reads or writes them: creates the missing ones from their
 * {@link TopicSpec}, verifies that existing ones have at least the spec's partition count, then
 * waits until every partition has a leader (a freshly created topic is briefly unknown or
 * leaderless, which loses batches of idempotent producers). Every step is bounded by the timeout
 * given at construction; failures throw {@link TopicSetupException}. Does not own the {@link Admin}.
 */
public final class TopicAdmin {

    /** What {@link #ensure} did with one topic. */
    public enum Outcome {
        CREATED,
        VERIFIED
    }

    private static final long POLL_INTERVAL_MS = 100;

    private final Admin admin;
    private final Duration timeout;

    public TopicAdmin(Admin admin, Duration timeout) {
        this.admin = Objects.requireNonNull(admin, "admin");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
    }

    /** Ensures the job's three topics. */
    public Map<String, Outcome> ensure(TopicSpecs specs) {
        return ensure(specs.all());
    }

    /** Ensures all specs; returns, per topic name in the given order, whether it was created or verified. */
    public Map<String, Outcome> ensure(Collection<TopicSpec> specs) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, TopicSpec> byName = new LinkedHashMap<>();
        for (TopicSpec spec : specs) {
            if (byName.put(spec.name(), spec) != null) {
                throw new IllegalArgumentException("topic '" + spec.name() + "' is specified twice");
            }
        }
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        Map<String, TopicDescription> existing = describeExisting(byName.keySet(), deadline);
        List<TopicSpec> missing = new ArrayList<>();
        for (TopicSpec spec : byName.values()) {
            if (existing.containsKey(spec.name())) {
                verify(spec, existing.get(spec.name()));
            } else {
                missing.add(spec);
            }
        }
        List<String> raced = create(missing, deadline);
        for (TopicSpec spec : byName.values()) {
            outcomes.put(
                    spec.name(),
                    existing.containsKey(spec.name()) || raced.contains(spec.name())
                            ? Outcome.VERIFIED
                            : Outcome.CREATED);
        }
        if (!raced.isEmpty()) {
            // Someone else created these between our describe and create (or our describe ran before the
            // broker's metadata knew of them): check them like existing ones once they become visible.
            Map<String, TopicDescription> now = describeExisting(raced, deadline);
            while (now.size() < raced.size() && System.nanoTime() - deadline < 0) {
                pause("the metadata of " + raced);
                now = describeExisting(raced, deadline);
            }
            for (String name : raced) {
                verify(byName.get(name), now.get(name));
            }
        }
        waitForLeaders(byName.keySet(), deadline);
        return outcomes;
    }

    private void verify(TopicSpec spec, TopicDescription description) {
        if (description == null) {
            throw new TopicSetupException("topic '" + spec.name() + "' vanished while being verified");
        }
        int actual = description.partitions().size();
        if (actual < spec.partitions()) {
            throw new TopicSetupException("topic '" + spec.name() + "' exists with " + actual + " partition"
                    + (actual == 1 ? "" : "s") + " but needs at least " + spec.partitions()
                    + ": add partitions (kafka-topics.sh --alter --topic " + spec.name() + " --partitions "
                    + spec.partitions() + ") or configure a smaller partition count");
        }
    }

    /** Creates the topics; returns the names that turned out to exist already. */
    private List<String> create(List<TopicSpec> specs, long deadline) {
        List<String> alreadyExisting = new ArrayList<>();
        if (specs.isEmpty()) {
            return alreadyExisting;
        }
        Map<String, KafkaFuture<Void>> futures = admin.createTopics(
                        specs.stream().map(TopicSpec::toNewTopic).toList())
                .values();
        for (TopicSpec spec : specs) {
            try {
                await(futures.get(spec.name()), deadline, "creating topic '" + spec.name() + "'");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    alreadyExisting.add(spec.name());
                } else {
                    throw new TopicSetupException(
                            "cannot create topic '" + spec.name() + "' (" + spec.partitions()
                                    + " partitions, replication factor " + spec.replicationFactor() + "): "
                                    + e.getCause().getMessage(),
                            e.getCause());
                }
            }
        }
        return alreadyExisting;
    }

    private Map<String, TopicDescription> describeExisting(Collection<String> names, long deadline) {
        Map<String, TopicDescription> found = new LinkedHashMap<>();
        Map<String, KafkaFuture<TopicDescription>> futures =
                admin.describeTopics(names).topicNameValues();
        for (String name : names) {
            try {
                found.put(name, await(futures.get(name), deadline, "describing topic '" + name + "'"));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new TopicSetupException(
                            "cannot describe topic '" + name + "': "
                                    + e.getCause().getMessage(),
                            e.getCause());
                }
            }
        }
        return found;
    }

    private static void pause(String waitingFor) {
        try {
            Thread.sleep(POLL_INTERVAL_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicSetupException("interrupted while waiting for " + waitingFor, e);
        }
    }

    private void waitForLeaders(Collection<String> names, long deadline) {
        while (true) {
            String lastProblem = leaderProblem(names, deadline);
            if (lastProblem == null) {
                return;
            }
            if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(POLL_INTERVAL_MS) - deadline > 0) {
                throw new TopicSetupException(
                        "topics " + names + " not ready within " + timeout.toMillis() + " ms: " + lastProblem);
            }
            pause("partition leaders of " + names);
        }
    }

    /** Null when every partition of every topic has a leader, else what is still missing. */
    private String leaderProblem(Collection<String> names, long deadline) {
        Map<String, KafkaFuture<TopicDescription>> futures =
                admin.describeTopics(names).topicNameValues();
        for (String name : names) {
            TopicDescription description;
            try {
                description = await(futures.get(name), deadline, "waiting for partition leaders of '" + name + "'");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    return "topic '" + name + "' is not yet known to the broker answering";
                }
                throw new TopicSetupException(
                        "cannot describe topic '" + name + "': " + e.getCause().getMessage(), e.getCause());
            }
            for (TopicPartitionInfo partition : description.partitions()) {
                if (partition.leader() == null || partition.leader().isEmpty()) {
                    return "partition " + name + "-" + partition.partition() + " has no leader";
                }
            }
        }
        return null;
    }

    private <T> T await(KafkaFuture<T> future, long deadline, String what) throws ExecutionException {
        long remaining = deadline - System.nanoTime();
        try {
            return future.get(Math.max(remaining, 0), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new TopicSetupException("timed out after " + timeout.toMillis() + " ms " + what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicSetupException("interrupted while " + what, e);
        }
    }
}
