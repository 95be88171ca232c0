package io.github.clip4j.internal.weights;

/** The checkpoint formats clip4j reads, as {@link CheckpointReader#detect(java.nio.file.Path)} recognises them. */
public enum CheckpointFormat {
    /** A {@code torch.jit.save} zip archive, the form of OpenAI's released models. */
    TORCHSCRIPT("TorchScript archive (OpenAI's released .pt files)"),
    /** A {@code torch.save}d state dict in PyTorch's zip format (torch 1.6 and later). */
    TORCH_STATE_DICT("torch.save state dict (zip format, optionally under 'state_dict' or 'model')"),
    /** A safetensors file with OpenAI's parameter names. */
    SAFETENSORS("safetensors with OpenAI parameter names (F32, F16, BF16 or F64 weights)"),
    /** A Hugging Face transformers folder ({@code config.json} with the weights). */
    HUGGING_FACE("Hugging Face transformers folder (config.json + model.safetensors)");

    private final String description;

    CheckpointFormat(String description) {
        this.description = description;
    }

    /**
     * A short human-readable description, used in error messages.
     *
     * @return one line naming the format and how it is recognised, e.g. for listing the supported formats
     */
    public String description() {
        return description;
    }
}
