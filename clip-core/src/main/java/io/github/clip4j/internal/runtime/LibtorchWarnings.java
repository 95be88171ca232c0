package io.github.clip4j.internal.runtime;

import java.util.Locale;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.pytorch.global.torch;

/**
 * libtorch's C++ warnings held back around a call whose only output would be a warning clip4j has already dealt
 * with: libtorch 2.10 prints "... is deprecated and will be removed" the first time each of its legacy fbgemm
 * operators runs in a process, and clip4j pins the libtorch version whose operators it calls (see
 * {@code internal.model.LegacyFbgemm}). The presets offer no handler that could drop one message, so the C++ log
 * level ({@code caffe2_log_level}, which {@code TORCH_CPP_LOG_LEVEL} sets at start) is raised to ERROR for the
 * call and put back afterwards. A warning another thread logs during that call is lost too: keep the calls short.
 */
public final class LibtorchWarnings {
    private static final int ERROR = 2;
    private static final Object LOCK = new Object();

    private LibtorchWarnings() {}

    /**
     * Runs {@code work} with libtorch's warnings held back (errors still print).
     *
     * @param work the call; not null
     */
    public static void suppressed(Runnable work) {
        NativeRuntime.ensureLoaded();
        synchronized (LOCK) {
            int level = configuredLevel(System.getenv("TORCH_CPP_LOG_LEVEL"));
            if (level >= ERROR) {
                work.run();
                return;
            }
            setLevel(ERROR);
            try {
                work.run();
            } finally {
                setLevel(level);
            }
        }
    }

    /**
     * The level libtorch took from {@code TORCH_CPP_LOG_LEVEL} at start: {@code INFO}, {@code WARNING},
     * {@code ERROR}, {@code FATAL} or {@code 0} to {@code 3}; WARNING (1), libtorch's default, when unset or not
     * one of those.
     */
    static int configuredLevel(String env) {
        if (env == null) {
            return 1;
        }
        return switch (env.trim().toUpperCase(Locale.ROOT)) {
            case "0", "INFO" -> 0;
            case "2", "ERROR" -> 2;
            case "3", "FATAL" -> 3;
            default -> 1;
        };
    }

    private static void setLevel(int level) {
        // c10's own flag parser (libtorch is built without gflags): argv[0] is skipped, the flag is set in place
        try (BytePointer program = new BytePointer("clip4j");
             BytePointer flag = new BytePointer("--caffe2_log_level=" + level);
             PointerPointer<BytePointer> argv = new PointerPointer<>(program, flag)) {
            if (!torch.ParseCommandLineFlags(new int[] {2}, argv)) {
                throw new IllegalStateException("libtorch refused its own log level flag caffe2_log_level=" + level);
            }
        }
    }
}
