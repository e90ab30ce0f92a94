package io.llamastream.engine.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MediaEncodersTest {
    static final MediaEncoder FAKE_IMAGE = new MediaEncoder() {
        @Override
        public Modality modality() {
            return Modality.IMAGE;
        }

        @Override
        public EncodedMedia encode(byte[] media) {
            return new EncodedMedia(new int[] {7}, 7, new float[2], 1, 2);
        }
    };

    @Test
    void audioOnAVisionModelNamesTheModel() {
        MediaEncoders encoders = new MediaEncoders("demo-vision", FAKE_IMAGE);
        UnsupportedModalityException e =
                assertThrows(UnsupportedModalityException.class, () -> encoders.forModality(Modality.AUDIO));
        assertEquals("model demo-vision has no audio encoder", e.getMessage());
        assertEquals(Modality.AUDIO, e.modality());
    }

    @Test
    void registeredModalityIsReturned() {
        assertSame(FAKE_IMAGE, new MediaEncoders("m", FAKE_IMAGE).forModality(Modality.IMAGE));
    }

    @Test
    void embeddingRowsMustMatchPlaceholderCount() {
        assertThrows(IllegalArgumentException.class, () -> new EncodedMedia(new int[] {7, 7}, 7, new float[2], 1, 2));
    }
}
