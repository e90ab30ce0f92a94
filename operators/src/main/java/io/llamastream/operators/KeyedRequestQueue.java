package io.llamastream.operators;

import io.llamastream.operators.tasks.PreparedRequest;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The inference operator's queue policy (what Flink's AsyncWaitOperator keeps in its stream
 * element queue, but keyed): requests of one key run one at a time in arrival order, so a
 * session's second turn sees the first; different keys run side by side; and the subtask holds at
 * most {@code capacity} requests, running or waiting, before it stops taking input. Only the
 * operator's task thread touches it.
 */
final class KeyedRequestQueue {
    private final int capacity;
    /** Per key, requests in arrival order; the head is the one running in the engine. */
    private final Map<String, ArrayDeque<PreparedRequest>> byKey = new HashMap<>();

    private int size;

    KeyedRequestQueue(int capacity) {
        this.capacity = Math.max(1, capacity);
    }

    /** Requests running or waiting, over all keys. */
    int size() {
        return size;
    }

    boolean isFull() {
        return size >= capacity;
    }

    /** Whether a request with this id is running or waiting under {@code key}. */
    boolean contains(String key, String id) {
        ArrayDeque<PreparedRequest> queue = byKey.get(key);
        return queue != null && queue.stream().anyMatch(q -> q.request().id().equals(id));
    }

    /** Adds a request behind its key's earlier ones; true if it is its key's head and should start now. */
    boolean add(PreparedRequest p) {
        ArrayDeque<PreparedRequest> queue = byKey.computeIfAbsent(p.request().routingKey(), k -> new ArrayDeque<>());
        queue.add(p);
        size++;
        return queue.size() == 1;
    }

    /** Puts back a key's requests restored from a checkpoint, head first; returns the head, to start now. */
    PreparedRequest restore(String key, List<PreparedRequest> requests) {
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("no requests to restore for key " + key);
        }
        byKey.put(key, new ArrayDeque<>(requests));
        size += requests.size();
        return requests.get(0);
    }

    /** Removes the key's head, which has finished; returns the key's next request to start, or null. */
    PreparedRequest finishHead(String key) {
        ArrayDeque<PreparedRequest> queue = byKey.get(key);
        queue.poll();
        size--;
        if (queue.isEmpty()) {
            byKey.remove(key);
            return null;
        }
        return queue.peek();
    }

    /** The key's requests still to answer, head first: what its checkpointed state must hold. */
    List<PreparedRequest> remaining(String key) {
        ArrayDeque<PreparedRequest> queue = byKey.get(key);
        return queue == null ? List.of() : List.copyOf(queue);
    }
}
