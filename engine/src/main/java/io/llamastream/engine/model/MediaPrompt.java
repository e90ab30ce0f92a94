package io.llamastream.engine.model;

import io.llamastream.engine.media.EncodedMedia;
import io.llamastream.engine.media.ImageMediaEncoder;
import io.llamastream.engine.media.PreprocessedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * A single-turn prompt with media, ready for the decoder: token ids in the Llama 4 chat format
 * (images and video frames first, in order, then the text) and the projected image rows that
 * replace the {@code <|patch|>} embeddings, in order. Text-only prompts have no rows and use the
 * model's own prompt format (its chat template, if it carries one).
 */
public record MediaPrompt(int[] ids, float[] imageRows) {

    /** Collects media for one user message, encoding each as it is added. */
    public static final class Builder {
        private final Llama4Model model;
        private final List<int[]> spans = new ArrayList<>();
        private final List<float[]> rowChunks = new ArrayList<>();

        public Builder(Llama4Model model) {
            this.model = model;
        }

        /** Adds an encoded image (PNG, JPEG, GIF, BMP, WebP bytes). */
        public Builder image(byte[] bytes) {
            return add(model.imageEncoder().encode(bytes));
        }

        /** Adds already preprocessed images in order (e.g. video frames sampled as single tiles). */
        public Builder images(List<PreprocessedImage> images) {
            ImageMediaEncoder encoder = model.imageEncoder();
            for (PreprocessedImage image : images) {
                add(encoder.encode(image));
            }
            return this;
        }

        private Builder add(EncodedMedia media) {
            spans.add(media.promptTokens());
            rowChunks.add(media.embeddings());
            return this;
        }

        public MediaPrompt build(String system, String text) {
            if (rowChunks.isEmpty()) {
                return new MediaPrompt(model.promptFormat().encodeUserPrompt(system, text), null);
            }
            int[] ids = model.chatFormat().encodeUserPromptWithMedia(system, spans, text);
            int total = rowChunks.stream().mapToInt(r -> r.length).sum();
            float[] all = new float[total];
            int at = 0;
            for (float[] r : rowChunks) {
                System.arraycopy(r, 0, all, at, r.length);
                at += r.length;
            }
            return new MediaPrompt(ids, all);
        }
    }
}
