package io.llamastream.operators;

import io.llamastream.operators.tasks.ValidRequest;

/**
 * Validated requests for tests, as parse-and-validate would build them from an event with only
 * the given fields set (no source offsets, default decoding parameters, no images).
 */
public final class TestRequests {
    private TestRequests() {}

    public static ValidRequest valid(String id, String task, String text) {
        return valid(id, task, null, text, null, new String[0], null, 0);
    }

    public static ValidRequest valid(
            String id,
            String task,
            String session,
            String text,
            String targetLanguage,
            String[] labels,
            String schemaJson,
            long deadlineEpochMs) {
        return new ValidRequest(
                "requests",
                0,
                0,
                new byte[0],
                id,
                task,
                session,
                text,
                targetLanguage,
                labels,
                schemaJson,
                -1,
                -1,
                -1,
                -1,
                0,
                deadlineEpochMs,
                null,
                new String[0]);
    }
}
