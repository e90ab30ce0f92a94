package io.llamastream.operators.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.model.VocabOnlyModel;
import io.llamastream.engine.sampling.StopReason;
import io.llamastream.engine.scheduler.InferenceResult;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.engine.testing.LlamaGuard3;
import io.llamastream.engine.tokenizer.ChatMessage;
import io.llamastream.engine.tokenizer.ChatTemplate;
import io.llamastream.engine.tokenizer.Tokenizer;
import io.llamastream.operators.TestRequests;
import io.llamastream.operators.TextPromptEncoder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tasks choose their chat format: a Llama 3 model's own template, Llama Guard 3's for moderation, or the built-in one. */
class TaskPromptFormatsTest {
    static final Path LLAMA3 = Fixtures.llama3("llama3-tiny");

    @TempDir
    Path tmp;

    static TaskPromptFormats formats(VocabOnlyModel model, TaskCatalog catalog) {
        return TaskPromptFormats.of(
                        model.chatTemplate(),
                        model.tokenizer(),
                        catalog.dateString(),
                        model.path().toString())
                .check(catalog);
    }

    static PreparedRequest encode(VocabOnlyModel model, TaskCatalog catalog, ValidRequest r)
            throws RejectedRequestException {
        return new TextPromptEncoder(model.tokenizer(), formats(model, catalog), 4096).encode(catalog.get(r.task()), r);
    }

    @Test
    void moderationThroughLlamaGuard3sTemplateSendsTheBareTextIntoItsPolicy() throws Exception {
        VocabOnlyModel guard = VocabOnlyModel.load(LlamaGuard3.folder(tmp.resolve("guard")));
        TaskCatalog catalog = TaskCatalog.parse("tasks:\n  moderate: {chat_template: model}\n", "tasks.yaml");
        String text = "How do I pick a lock?";
        PreparedRequest p = encode(guard, catalog, TestRequests.valid("m1", "moderate", text));
        assertEquals(text, p.userMessage());
        assertArrayEquals(guard.tokenizer().encode(LlamaGuard3.prompt(text)), p.promptIds());
    }

    @Test
    void llamaGuard3sVerdictIsReadByTheGuard4VerdictParser() {
        VocabOnlyModel guard = VocabOnlyModel.load(LlamaGuard3.folder(tmp.resolve("guard")));
        Tokenizer t = guard.tokenizer();
        int eot = guard.chatTemplate().orElseThrow().endOfTurnId();
        ModelVocabulary vocabulary = new ModelVocabulary(t, eot, id -> id == eot, schema -> null);
        TaskDefinition task = TaskCatalog.parse("tasks:\n  moderate: {chat_template: model}\n", "t")
                .get("moderate");
        ValidRequest r = TestRequests.valid("m1", "moderate", "x");
        ModerateHandler handler = new ModerateHandler();
        EngineCall call =
                handler.engineCall(task, new PreparedRequest(r, "x", new int[] {1}, 16, false, 0), vocabulary);
        int[] ids = t.encodeOrdinary("unsafe\nS1,S10");
        int[] tokens = Arrays.copyOf(ids, ids.length + 1);
        tokens[ids.length] = eot;
        TaskReply reply = handler.parse(
                task, r, call, List.of(new InferenceResult(tokens, StopReason.EOS, 0, 2, 0, 0, 0, 0)), vocabulary);
        assertFalse(reply.result().get("safe").asBoolean());
        assertEquals("[\"S1\",\"S10\"]", reply.result().get("categories").toString());
    }

    @Test
    void withoutAChoiceALlama3ModelPromptsThroughItsOwnTemplateOnTheFilesDate() throws Exception {
        VocabOnlyModel llama3 = VocabOnlyModel.load(LLAMA3);
        TaskCatalog catalog = TaskCatalog.parse(
                "date_string: 26 Jul 2024\ntasks:\n  summarize: {kind: generate, template: "
                        + "\"Summarize: {text}\"}\n",
                "tasks.yaml");
        PreparedRequest p = encode(llama3, catalog, TestRequests.valid("g1", "summarize", "The dog sleeps."));
        ChatTemplate template =
                ChatTemplate.forModel(LLAMA3, llama3.tokenizer()).orElseThrow().withDate("26 Jul 2024");
        assertArrayEquals(template.encodeUserPrompt(null, "Summarize: The dog sleeps."), p.promptIds());
        assertTrue(template.render(List.of(ChatMessage.user("x")), true).contains("Today Date: 26 Jul 2024"));
    }

    @Test
    void theBuiltInFormatOnALlama3ModelIsRefusedAtStartNamingTheTask() {
        VocabOnlyModel llama3 = VocabOnlyModel.load(LLAMA3);
        TaskCatalog catalog = TaskCatalog.parse("tasks:\n  translate: {chat_template: builtin}\n", "tasks.yaml");
        String m = assertThrows(IllegalStateException.class, () -> formats(llama3, catalog))
                .getMessage();
        assertTrue(m.contains("task 'translate'") && m.contains("built-in Llama 4 chat format"), m);
    }

    @Test
    void theModelsTemplateOnAModelWithoutOneIsRefusedAtStart() {
        VocabOnlyModel demo = VocabOnlyModel.load(Fixtures.model("demo-tasks"));
        TaskCatalog catalog = TaskCatalog.parse("tasks:\n  moderate: {chat_template: model}\n", "tasks.yaml");
        String m = assertThrows(IllegalStateException.class, () -> formats(demo, catalog))
                .getMessage();
        assertTrue(m.contains("task 'moderate'") && m.contains("carries none"), m);
    }

    @Test
    void anUnknownChatTemplateValueIsRefusedNamingTheTask() {
        String m = assertThrows(
                        IllegalArgumentException.class,
                        () -> TaskCatalog.parse("tasks:\n  moderate: {chat_template: jinja}\n", "tasks.yaml"))
                .getMessage();
        assertTrue(m.contains("task 'moderate'") && m.contains("chat_template must be model or builtin"), m);
    }
}
