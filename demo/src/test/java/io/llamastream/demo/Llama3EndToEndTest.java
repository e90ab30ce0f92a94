package io.llamastream.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.model.Llama4Model;
import io.llamastream.engine.sampling.SamplingParams;
import io.llamastream.engine.scheduler.InferenceRequest;
import io.llamastream.engine.scheduler.Scheduler;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.engine.testing.LlamaGuard3;
import io.llamastream.engine.tokenizer.ChatTemplate;
import io.llamastream.engine.weights.WeightFormat;
import io.llamastream.job.JobConfig;
import io.llamastream.job.JobPipeline;
import io.llamastream.kafka.testkit.KafkaBroker;
import io.llamastream.operators.postprocess.ModerationVerdict;
import io.llamastream.operators.postprocess.ReplyFormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job on Llama 3 models, on a real in-JVM broker and a MiniCluster: {@code llama3-tiny}
 * answering generation events through its own chat template, and a Llama Guard 3 stand-in
 * (the same weights with Guard 3's template) moderating. Every event comes out exactly once, and
 * each answer is the one the engine gives alone for the prompt the template renders (the random
 * model's text, so a prompt built any other way would give other tokens); moderation replies the
 * verdict parser cannot read come out as INFERENCE_FAILED dead letters, as they should.
 */
class Llama3EndToEndTest {
    private static final String DATE = "26 Jul 2024";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] TEXTS = {
        "The dog sleeps.", "Meta a récemment dévoilé LLaMA 4.", "numbers 1 12 123 1234", "I'll say it: DON'T",
        "  leading spaces and trailing   ", "emoji 🙂🚀 and CJK 你好", "def f(x):\n    return x**2", "Hello world",
    };

    @RegisterExtension
    static final KafkaBroker kafka = new KafkaBroker();

    @TempDir
    Path tmp;

    private JobConfig config(String prefix, Path model, String tasks) throws Exception {
        JobConfig c = KafkaExactlyOnceTest.config(prefix, kafka.bootstrapServers());
        c.modelDir = model.toString();
        Path file = tmp.resolve(prefix + "-tasks.yaml");
        Files.writeString(file, tasks);
        c.tasksFile = file.toString();
        c.checkpointIntervalMs = 1000;
        return c.validate();
    }

    /** The reply the engine gives alone, in the job's weight format, to {@code text} through the model's template. */
    private static String reply(Llama4Model model, String text, int maxTokens) {
        ChatTemplate template = model.chatTemplate().orElseThrow().withDate(DATE);
        int[] tokens = Scheduler.runAlone(
                        model.textModel(),
                        InferenceRequest.generate(
                                template.encodeUserPrompt(null, text), SamplingParams.greedy(maxTokens)))
                .tokens();
        int n = tokens.length > 0 && model.config().isEos(tokens[tokens.length - 1])
                ? tokens.length - 1
                : tokens.length;
        return model.tokenizer().decode(Arrays.copyOf(tokens, n));
    }

    private static DemoSample.Event event(String id, String task, String text, String expected, String expectedError) {
        ObjectNode ev = JSON.createObjectNode().put("id", id).put("task", task).put("text", text);
        ev.putObject("params").put("max_tokens", 8);
        return new DemoSample.Event(
                id,
                task,
                id.getBytes(StandardCharsets.UTF_8),
                ev.toString().getBytes(StandardCharsets.UTF_8),
                expected,
                expectedError);
    }

    @Test
    void generationEventsComeOutExactlyOnceWithTheAnswerOfTheModelsOwnTemplate() throws Exception {
        Path dir = Fixtures.llama3("llama3-tiny");
        Llama4Model model = Llama4Model.load(dir, ComputePool.shared(), WeightFormat.BF16);
        List<DemoSample.Event> events = new ArrayList<>();
        for (int i = 0; i < 3 * TEXTS.length; i++) {
            String text = TEXTS[i % TEXTS.length];
            events.add(event("gen-" + i, "generate", text, reply(model, text, 8), null));
        }
        JobConfig config = config("llama3-generate", dir, "date_string: " + DATE + "\ntasks: {}\n");
        OutputTracker t = KafkaExactlyOnceTest.run(config, JobPipeline.inference(), events, 0, Duration.ofSeconds(120));
        KafkaExactlyOnceTest.assertExactlyOnce(t, events.size());
        OutputTracker.TaskStats s = t.perTask().get("generate");
        assertEquals(events.size(), s.ok, "results");
        assertEquals(events.size(), s.correct, "answers equal to the engine's through the chat template");
        long promptTokens = 0;
        for (DemoSample.Event e : events) {
            String text = JSON.readTree(e.value()).get("text").asText();
            promptTokens += model.chatTemplate().orElseThrow().withDate(DATE).encodeUserPrompt(null, text).length;
        }
        assertEquals(promptTokens, t.promptTokens(), "prompt tokens of the rendered template");
    }

    @Test
    void moderationThroughLlamaGuard3sTemplateComesOutExactlyOnce() throws Exception {
        Path dir = LlamaGuard3.folder(tmp.resolve("guard3"));
        Llama4Model model = Llama4Model.load(dir, ComputePool.shared(), WeightFormat.BF16);
        List<DemoSample.Event> events = new ArrayList<>();
        int deadLetters = 0;
        for (int i = 0; i < 2 * TEXTS.length; i++) {
            String text = TEXTS[i % TEXTS.length];
            String reply = reply(model, text, 8);
            String verdict = null;
            try {
                ModerationVerdict v = ModerationVerdict.parse(reply, List.of(), 0);
                verdict = v.safe() ? "safe" : "unsafe\n" + String.join(",", v.categories());
            } catch (ReplyFormatException e) {
                deadLetters++;
            }
            events.add(event("mod-" + i, "moderate", text, verdict, verdict == null ? "INFERENCE_FAILED" : null));
        }
        JobConfig config = config("llama3-guard", dir, "tasks:\n  moderate: {chat_template: model}\n");
        OutputTracker t = KafkaExactlyOnceTest.run(config, JobPipeline.inference(), events, 0, Duration.ofSeconds(120));
        KafkaExactlyOnceTest.assertExactlyOnce(t, events.size());
        OutputTracker.TaskStats s = t.perTask().get("moderate");
        assertEquals(deadLetters, s.deadLettered, "unreadable verdicts dead-lettered");
        assertEquals(s.expectedErrors, s.expectedErrorsMatched, "with INFERENCE_FAILED");
        assertEquals(s.known, s.correct, "readable verdicts equal to the engine's through Guard 3's template");
        assertTrue(s.ok + s.deadLettered == events.size());
    }
}
