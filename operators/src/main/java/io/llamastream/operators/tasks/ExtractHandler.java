package io.llamastream.operators.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llamastream.engine.scheduler.InferenceRequest;
import io.llamastream.engine.scheduler.InferenceResult;
import io.llamastream.kafka.ContextOverflow;
import io.llamastream.kafka.ErrorCode;
import io.llamastream.operators.grammar.JsonGrammarProcessor;
import io.llamastream.operators.grammar.JsonSchemaCompiler;
import io.llamastream.operators.grammar.UnsupportedSchemaException;
import io.llamastream.operators.postprocess.ReplyFormatException;
import java.util.List;

/**
 * Structured extraction: the reply is generated under a JSON grammar compiled from the request's
 * {@code params.schema} (a supported subset of JSON Schema), so it parses as JSON with the
 * schema's keys; the parsed object is the result.
 */
public final class ExtractHandler implements TaskHandler {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public TaskDefinition builtIn() {
        return new TaskDefinition(
                "extract",
                TaskKind.EXTRACT,
                null,
                new PromptTemplate("Extract {fields} as JSON with keys {keys}.\nText: {text}"),
                96,
                0,
                ContextOverflow.REJECT,
                false,
                null,
                null);
    }

    @Override
    public boolean readsSchema() {
        return true;
    }

    @Override
    public void validate(TaskDefinition task, ValidRequest request) throws RejectedRequestException {
        if (request.schemaJson() == null) {
            throw new RejectedRequestException(ErrorCode.INVALID_FIELD, "field 'params.schema' is missing");
        }
        try {
            JsonSchemaCompiler.compile(request.schemaJson());
        } catch (UnsupportedSchemaException e) {
            throw new RejectedRequestException(
                    ErrorCode.INVALID_FIELD,
                    "field 'params.schema' is outside the supported subset: " + e.getMessage());
        }
    }

    @Override
    public EngineCall engineCall(TaskDefinition task, PreparedRequest request, ModelVocabulary vocabulary) {
        JsonGrammarProcessor grammar = new JsonGrammarProcessor(
                vocabulary.grammar(request.request().schemaJson()), vocabulary.endOfTurn(), request.maxTokens());
        return new EngineCall(
                request.promptIds(),
                List.of(InferenceRequest.generate(request.promptIds(), request.sampling(task))
                        .withProcessor(grammar)));
    }

    @Override
    public TaskReply parse(
            TaskDefinition task,
            ValidRequest request,
            EngineCall call,
            List<InferenceResult> results,
            ModelVocabulary vocabulary) {
        int[] tokens = results.get(0).tokens();
        String text = vocabulary.replyText(tokens);
        JsonNode result;
        try {
            result = JSON.readTree(text);
        } catch (Exception e) {
            throw new ReplyFormatException("extraction reply is not JSON: " + text, e);
        }
        return new TaskReply(text, result, tokens.length);
    }
}
