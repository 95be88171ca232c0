package io.github.clip4j.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's memory and the machine's load, from {@code /proc} (Linux); -1 / "?" elsewhere. */
final class ProcessMemory {
    private ProcessMemory() {}

    /** Peak resident set size ({@code VmHWM}) in kB. */
    static long peakResidentKb() {
        return statusKb("VmHWM:");
    }

    /** Resident set size now ({@code VmRSS}) in kB. */
    static long residentKb() {
        return statusKb("VmRSS:");
    }

    private static long statusKb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("\\D+", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** The 1-minute load average. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /**
     * Samples the resident set's parts every 100 ms on a daemon thread: {@code VmHWM} alone cannot tell the Java heap
     * (anonymous memory) from pages of memory-mapped index files (file-backed, page cache the kernel may drop).
     */
    static final class Sampler {
        private volatile long peakAnonKb;
        private volatile long peakFileKb;

        static Sampler start() {
            Sampler s = new Sampler();
            Thread t = new Thread(() -> {
                while (true) {
                    s.sample();
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "rss-sampler");
            t.setDaemon(true);
            t.start();
            return s;
        }

        private void sample() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("RssAnon:")) {
                        peakAnonKb = Math.max(peakAnonKb, Long.parseLong(line.replaceAll("\\D+", "")));
                    } else if (line.startsWith("RssFile:")) {
                        peakFileKb = Math.max(peakFileKb, Long.parseLong(line.replaceAll("\\D+", "")));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not Linux: stays 0
            }
        }

        long peakAnonKb() {
            sample();
            return peakAnonKb;
        }

        long peakFileKb() {
            sample();
            return peakFileKb;
        }
    }
}
