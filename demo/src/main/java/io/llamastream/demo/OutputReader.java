package io.llamastream.demo;

import io.llamastream.kafka.EventJson;
import io.llamastream.kafka.KafkaClientSettings;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the results and dead-letter topics from the beginning with {@code isolation.level=read_committed}
 * (only what the job's transactions committed), feeding an {@link OutputTracker} and, optionally,
 * appending every record value to {@code results.jsonl} / {@code dead-letter.jsonl}.
 * Uses manual partition assignment (no consumer group). Single-threaded.
 */
public final class OutputReader implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String resultsTopic;
    private final OutputTracker tracker;
    private final BufferedWriter resultsDump;
    private final BufferedWriter deadLetterDump;

    public OutputReader(
            KafkaClientSettings kafka,
            String resultsTopic,
            String deadLetterTopic,
            OutputTracker tracker,
            Path dumpDir) {
        this(kafka, resultsTopic, deadLetterTopic, tracker, dumpDir, false);
    }

    /** As above; {@code fromNow} skips the outputs already committed (a warm-up's) instead of reading from the beginning. */
    public OutputReader(
            KafkaClientSettings kafka,
            String resultsTopic,
            String deadLetterTopic,
            OutputTracker tracker,
            Path dumpDir,
            boolean fromNow) {
        Properties p = kafka.consumerProperties("llamastream-output-reader");
        p.remove("group.id");
        p.put("max.poll.records", "1000");
        this.consumer = new KafkaConsumer<>(p);
        this.resultsTopic = resultsTopic;
        this.tracker = tracker;
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(resultsTopic, deadLetterTopic)) {
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
        }
        consumer.assign(partitions);
        if (fromNow) {
            consumer.seekToEnd(partitions);
            // Seeks are lazy: fix the positions now, before anything else is produced.
            partitions.forEach(consumer::position);
        } else {
            consumer.seekToBeginning(partitions);
        }
        try {
            if (dumpDir != null) {
                Files.createDirectories(dumpDir);
                resultsDump = Files.newBufferedWriter(dumpDir.resolve("results.jsonl"), StandardCharsets.UTF_8);
                deadLetterDump = Files.newBufferedWriter(dumpDir.resolve("dead-letter.jsonl"), StandardCharsets.UTF_8);
            } else {
                resultsDump = null;
                deadLetterDump = null;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create dump files in " + dumpDir, e);
        }
    }

    /** Polls once; returns the number of records read. */
    public int poll(Duration timeout) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(timeout);
        long now = System.nanoTime();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            boolean isResult = r.topic().equals(resultsTopic);
            if (isResult) {
                tracker.result(EventJson.readResult(r.value()), now);
                tracker.resultWrittenAt(r.timestamp());
            } else {
                tracker.deadLetter(EventJson.readDeadLetter(r.value()), now);
            }
            BufferedWriter dump = isResult ? resultsDump : deadLetterDump;
            if (dump != null) {
                try {
                    dump.write(new String(r.value(), StandardCharsets.UTF_8));
                    dump.newLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return records.count();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
        try {
            if (resultsDump != null) {
                resultsDump.close();
                deadLetterDump.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
