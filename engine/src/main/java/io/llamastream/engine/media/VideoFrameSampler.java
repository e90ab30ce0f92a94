package io.llamastream.engine.media;

import io.llamastream.engine.media.ImageDecodeException.Reason;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jcodec.api.FrameGrab;
import org.jcodec.api.JCodecException;
import org.jcodec.common.DemuxerTrackMeta;
import org.jcodec.common.io.ByteBufferSeekableByteChannel;
import org.jcodec.common.model.Picture;
import org.jcodec.scale.AWTUtil;

/**
 * Picks a few frames of a video and turns each into one single-tile image (the whole frame
 * resized to the tile, as the global tile is), to be encoded like images. Frames are chosen at
 * the centres of equal time segments, at most {@code maxFrames} of them and at most
 * {@code maxFps} per second of video. Input is either already-encoded frames (each decoded by
 * {@link ImageDecoder}) or an MP4/H.264 file decoded with jcodec (pure Java).
 */
public final class VideoFrameSampler {
    public static final int DEFAULT_MAX_FRAMES = 8;
    public static final double DEFAULT_MAX_FPS = 1.0;

    private final ImageDecoder decoder;
    private final ImagePreprocessor preprocessor;
    private final int maxFrames;
    private final double maxFps;

    public VideoFrameSampler(ImageDecoder decoder, ImagePreprocessor preprocessor, int maxFrames, double maxFps) {
        if (maxFrames < 1 || !(maxFps > 0)) {
            throw new IllegalArgumentException(
                    "maxFrames must be >= 1 and maxFps > 0, got " + maxFrames + ", " + maxFps);
        }
        this.decoder = decoder;
        this.preprocessor = preprocessor;
        this.maxFrames = maxFrames;
        this.maxFps = maxFps;
    }

    public VideoFrameSampler(ImagePreprocessor preprocessor) {
        this(new ImageDecoder(), preprocessor, DEFAULT_MAX_FRAMES, DEFAULT_MAX_FPS);
    }

    /** How many frames to keep from {@code total} frames spanning {@code seconds}. */
    int sampleCount(int total, double seconds) {
        long byRate = seconds > 0 ? (long) Math.floor(seconds * maxFps) : total;
        return (int) Math.max(1, Math.min(Math.min(total, maxFrames), byRate));
    }

    /** {@code count} frame indices out of {@code total}, at the centres of equal segments, increasing. */
    static int[] evenIndices(int total, int count) {
        int[] idx = new int[count];
        for (int i = 0; i < count; i++) {
            idx[i] = (int) Math.floor((i + 0.5) * total / count);
        }
        return idx;
    }

    /** Frames given as encoded images (PNG, JPEG, ...) at {@code sourceFps} frames per second. */
    public List<PreprocessedImage> fromFrames(List<byte[]> frames, double sourceFps) {
        if (frames.isEmpty()) {
            throw new ImageDecodeException(Reason.EMPTY, "the video has no frames");
        }
        int[] idx = evenIndices(frames.size(), sampleCount(frames.size(), frames.size() / sourceFps));
        List<PreprocessedImage> out = new ArrayList<>(idx.length);
        for (int i : idx) {
            out.add(preprocessor.singleTile(decoder.decode(frames.get(i))));
        }
        return out;
    }

    /** An MP4 (H.264) file's bytes. */
    public List<PreprocessedImage> fromMp4(byte[] mp4) {
        if (mp4 == null || mp4.length == 0) {
            throw new ImageDecodeException(Reason.EMPTY, "the video is empty (0 bytes)");
        }
        try {
            FrameGrab grab =
                    FrameGrab.createFrameGrab(new ByteBufferSeekableByteChannel(ByteBuffer.wrap(mp4), mp4.length));
            DemuxerTrackMeta meta = grab.getVideoTrack().getMeta();
            int total = meta.getTotalFrames();
            if (total < 1) {
                throw new ImageDecodeException(Reason.EMPTY, "the MP4 has no video frames");
            }
            int[] idx = evenIndices(total, sampleCount(total, meta.getTotalDuration()));
            List<PreprocessedImage> out = new ArrayList<>(idx.length);
            // Decode forward in order: H.264 frames depend on earlier ones, and skipping through
            // the stream with precise seeks would decode them again per sample.
            int next = 0;
            for (int frame = 0; frame <= idx[idx.length - 1]; frame++) {
                Picture pic = grab.getNativeFrame();
                if (pic == null) {
                    throw new ImageDecodeException(
                            Reason.TRUNCATED, "the MP4 ends at frame " + frame + " but declares " + total);
                }
                if (frame == idx[next]) {
                    if ((long) pic.getWidth() * pic.getHeight() > decoder.maxPixels()) {
                        throw new ImageDecodeException(
                                Reason.TOO_LARGE,
                                "video frames are " + pic.getWidth() + "x" + pic.getHeight() + ", above the limit of "
                                        + decoder.maxPixels() + " pixels");
                    }
                    BufferedImage img = AWTUtil.toBufferedImage(pic);
                    out.add(preprocessor.singleTile(ImageDecoder.toRgb(img)));
                    next++;
                }
            }
            return out;
        } catch (ImageDecodeException e) {
            throw e;
        } catch (IOException | JCodecException | RuntimeException e) {
            throw new ImageDecodeException(
                    Reason.CORRUPT,
                    "cannot decode the video as MP4/H.264 (" + e + "); re-encode it as H.264 in MP4",
                    e);
        }
    }
}
