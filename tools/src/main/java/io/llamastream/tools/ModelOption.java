package io.llamastream.tools;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --model DIR} option shared by the commands that load a model. */
public final class ModelOption {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model folder (config.json, safetensors, tokenizer.json).")
    Path dir;
}
