package io.llamastream.operators;

import java.io.Serializable;

/**
 * One request record as read from Kafka, before parsing: its bytes and where it came from, so
 * a dead-letter entry can carry the original payload and topic/partition/offset.
 */
public record RawRequest(String topic, int partition, long offset, byte[] key, byte[] value) implements Serializable {}
