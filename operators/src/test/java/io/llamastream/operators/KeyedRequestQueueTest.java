package io.llamastream.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.operators.tasks.PreparedRequest;
import io.llamastream.operators.tasks.ValidRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyedRequestQueueTest {

    static PreparedRequest request(String id, String session) {
        ValidRequest r = TestRequests.valid(id, "generate", session, "hi", null, new String[0], null, 0);
        return new PreparedRequest(r, "hi", new int[] {1}, 8, false, 0);
    }

    @Test
    void aKeysSecondRequestWaitsForItsFirst() {
        KeyedRequestQueue queue = new KeyedRequestQueue(8);
        PreparedRequest first = request("a", "s");
        PreparedRequest second = request("b", "s");
        assertTrue(queue.add(first), "the first of its key starts at once");
        assertFalse(queue.add(second), "the second waits");
        assertSame(second, queue.finishHead("s"), "the second starts when the first finishes");
        assertNull(queue.finishHead("s"));
        assertEquals(0, queue.size());
    }

    @Test
    void differentKeysRunSideBySide() {
        KeyedRequestQueue queue = new KeyedRequestQueue(8);
        assertTrue(queue.add(request("a", "s1")));
        assertTrue(queue.add(request("b", "s2")));
    }

    @Test
    void isFullAtCapacityCountingWaitingRequests() {
        KeyedRequestQueue queue = new KeyedRequestQueue(2);
        queue.add(request("a", "s"));
        assertFalse(queue.isFull());
        queue.add(request("b", "s"));
        assertTrue(queue.isFull());
        queue.finishHead("s");
        assertFalse(queue.isFull());
    }

    @Test
    void knowsWhichIdsAreRunningOrWaitingUnderAKey() {
        KeyedRequestQueue queue = new KeyedRequestQueue(8);
        queue.add(request("a", "s"));
        queue.add(request("b", "s"));
        assertTrue(queue.contains("s", "b"));
        assertFalse(queue.contains("other", "b"));
        queue.finishHead("s");
        assertFalse(queue.contains("s", "a"));
    }

    @Test
    void remainingIsWhatTheKeysCheckpointMustHoldHeadFirst() {
        KeyedRequestQueue queue = new KeyedRequestQueue(8);
        PreparedRequest a = request("a", "s");
        PreparedRequest b = request("b", "s");
        queue.add(a);
        queue.add(b);
        assertEquals(List.of(a, b), queue.remaining("s"));
        queue.finishHead("s");
        assertEquals(List.of(b), queue.remaining("s"));
        queue.finishHead("s");
        assertEquals(List.of(), queue.remaining("s"));
    }

    @Test
    void restoredRequestsResumeWithTheirHeadAndCountTowardsCapacity() {
        KeyedRequestQueue queue = new KeyedRequestQueue(2);
        PreparedRequest a = request("a", "s");
        PreparedRequest b = request("b", "s");
        assertSame(a, queue.restore("s", List.of(a, b)));
        assertTrue(queue.isFull());
        assertSame(b, queue.finishHead("s"));
    }
}
