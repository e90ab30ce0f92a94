package io.llamastream.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.tokenizer.Tokenizer;
import io.llamastream.kafka.ErrorCode;
import io.llamastream.operators.tasks.PreparedRequest;
import io.llamastream.operators.tasks.RejectedRequestException;
import io.llamastream.operators.tasks.TaskCatalog;
import io.llamastream.operators.tasks.TaskDefinition;
import io.llamastream.operators.tasks.ValidRequest;
import org.junit.jupiter.api.Test;

class TextPromptEncoderTest {
    static final Tokenizer TOKENIZER =
            Tokenizer.fromTokenizerJson(TestFixtures.model("demo-tasks").resolve("tokenizer.json"));
    static final TaskDefinition GENERATE = TaskCatalog.builtIn().get("generate");
    static final String TEXT = "first words come here. " + "the cat sleeps. ".repeat(40) + "last words end it.";

    static ValidRequest request(String overflow, int maxTokens) {
        return new ValidRequest(
                "t",
                0,
                0,
                new byte[0],
                "id",
                "generate",
                null,
                TEXT,
                null,
                new String[0],
                null,
                maxTokens,
                -1,
                -1,
                -1,
                0,
                0,
                overflow,
                new String[0]);
    }

    @Test
    void truncateHeadKeepsTheEndAndFitsTheBudget() throws Exception {
        PreparedRequest p = new TextPromptEncoder(TOKENIZER, 120).encode(GENERATE, request("truncate_head", 40));
        assertTrue(p.truncated());
        assertTrue(p.promptIds().length <= 80, "prompt " + p.promptIds().length);
        assertTrue(p.promptIds().length >= 70, "cut no more than needed: " + p.promptIds().length);
        assertTrue(p.userMessage().endsWith("last words end it."));
        assertFalse(p.userMessage().contains("first words"));
    }

    @Test
    void truncateTailKeepsTheStart() throws Exception {
        PreparedRequest p = new TextPromptEncoder(TOKENIZER, 120).encode(GENERATE, request("truncate_tail", 40));
        assertTrue(p.userMessage().startsWith("first words come here."));
        assertFalse(p.userMessage().contains("last words"));
        assertTrue(p.promptIds().length <= 80);
    }

    @Test
    void rejectPolicyGivesContextOverflow() {
        RejectedRequestException e = assertThrows(
                RejectedRequestException.class,
                () -> new TextPromptEncoder(TOKENIZER, 120).encode(GENERATE, request("reject", 40)));
        assertEquals(ErrorCode.CONTEXT_OVERFLOW, e.code());
    }

    @Test
    void promptThatFitsIsUntouched() throws Exception {
        PreparedRequest p = new TextPromptEncoder(TOKENIZER, 4096).encode(GENERATE, request("reject", 40));
        assertFalse(p.truncated());
        assertEquals(TEXT, p.userMessage());
        assertEquals(40, p.maxTokens());
    }
}
