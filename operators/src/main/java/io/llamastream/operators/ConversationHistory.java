package io.llamastream.operators;

import io.llamastream.engine.tokenizer.ChatMessage;
import io.llamastream.operators.tasks.PreparedRequest;
import io.llamastream.operators.tasks.TaskDefinition;
import io.llamastream.operators.tasks.TaskPromptFormats;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.state.ValueState;

/**
 * A session's earlier turns (user message, reply) in keyed state, placed before the new user
 * message for tasks with history on and requests with a session: bounded to the last
 * {@value #MAX_TURNS} turns, and older turns are dropped further until history, prompt and reply
 * budget fit the context window. Turns are kept as text, because each new turn re-encodes the
 * whole dialog; a request with images is sent as it was prepared. Public for the demo's comparison
 * with the raw engine, which keeps a session's turns the same way outside Flink.
 */
public final class ConversationHistory {
    static final int MAX_TURNS = 8;

    private final ValueState<String[]> turns;
    private final TaskPromptFormats formats;
    private final int contextTokens;

    public ConversationHistory(ValueState<String[]> turns, TaskPromptFormats formats, int contextTokens) {
        this.turns = turns;
        this.formats = formats;
        this.contextTokens = contextTokens;
    }

    /** The prompt for the current key's request: with as many earlier turns as fit, else the single turn. */
    public int[] prompt(TaskDefinition task, PreparedRequest p) throws IOException {
        String[] earlier = turns.value();
        if (!applies(task, p) || p.request().imagesBase64().length > 0 || earlier == null || earlier.length == 0) {
            return p.promptIds();
        }
        int budget = contextTokens - p.maxTokens();
        for (int from = 0; from < earlier.length; from += 2) {
            List<ChatMessage> messages = new ArrayList<>();
            if (task.system() != null && !task.system().isEmpty()) {
                messages.add(ChatMessage.system(task.system()));
            }
            for (int i = from; i + 1 < earlier.length; i += 2) {
                messages.add(ChatMessage.user(earlier[i]));
                messages.add(ChatMessage.assistant(earlier[i + 1]));
            }
            messages.add(ChatMessage.user(p.userMessage()));
            int[] prompt = formats.forTask(task).encodeDialog(messages, true);
            if (prompt.length <= budget) {
                return prompt;
            }
        }
        return p.promptIds();
    }

    /** Keeps a finished turn for the current key, if its task keeps history and the reply was generated. */
    public void record(TaskDefinition task, PreparedRequest p, String reply) throws IOException {
        if (!applies(task, p) || !task.handler().generates()) {
            return;
        }
        String[] earlier = turns.value();
        List<String> list = new ArrayList<>(earlier == null ? List.of() : Arrays.asList(earlier));
        list.add(p.userMessage());
        list.add(reply);
        while (list.size() > 2 * MAX_TURNS) {
            list.remove(0);
            list.remove(0);
        }
        turns.update(list.toArray(String[]::new));
    }

    private static boolean applies(TaskDefinition task, PreparedRequest p) {
        return task.useHistory() && p.request().session() != null;
    }
}
