package io.llamastream.demo;

import io.llamastream.kafka.KafkaClientSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Produces demo/test events to the requests topic with an idempotent producer, checks every send
 * and tells the tracker where each event landed (topic, partition, offset), which is how
 * dead letters of events without an id are matched back.
 */
public final class EventProducer {

    private EventProducer() {}

    /**
     * Sends the events, {@code perSecond} per second at most (0 = as fast as possible), waiting for
     * every acknowledgement; throws if any send fails.
     */
    public static void send(
            KafkaClientSettings kafka,
            String topic,
            List<DemoSample.Event> events,
            OutputTracker tracker,
            double perSecond)
            throws InterruptedException {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            long start = System.nanoTime();
            List<Future<RecordMetadata>> pending = new ArrayList<>();
            List<DemoSample.Event> pendingEvents = new ArrayList<>();
            List<Long> pendingAt = new ArrayList<>();
            for (int i = 0; i < events.size(); i++) {
                if (perSecond > 0) {
                    long due = start + (long) (i * 1e9 / perSecond);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        flush(pending, pendingEvents, pendingAt, tracker);
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
                DemoSample.Event e = events.get(i);
                pendingAt.add(System.nanoTime());
                pending.add(producer.send(new ProducerRecord<>(topic, e.key(), e.value())));
                pendingEvents.add(e);
            }
            flush(pending, pendingEvents, pendingAt, tracker);
        }
    }

    private static void flush(
            List<Future<RecordMetadata>> pending, List<DemoSample.Event> events, List<Long> at, OutputTracker tracker)
            throws InterruptedException {
        for (int i = 0; i < pending.size(); i++) {
            RecordMetadata md;
            try {
                md = pending.get(i).get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("producing a request failed: " + e.getCause(), e.getCause());
            }
            tracker.sent(events.get(i), md.topic(), md.partition(), md.offset(), at.get(i));
        }
        pending.clear();
        events.clear();
        at.clear();
    }
}
