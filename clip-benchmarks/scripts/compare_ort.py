#!/usr/bin/python3
"""clip4j against ONNX Runtime on the same CPU (issue 17): each engine in its own JVM, back to back.

  compare: for each round and thread count, OrtBenchmark (fp32), then ClipBenchmark --pixels in each clip4j
           precision, each a fresh JVM; prints every JSON line with the load average, then per engine and thread
           count the median over rounds of the fastest batch, and the speed-up against ONNX Runtime. The first
           round also checks at every thread count that the engines compute the same features (cosine to the
           reference's features and to ONNX Runtime's >= 0.99999 for fp32), so the comparison is of the same
           model. --also=-Dclip4j.splitBatches=false adds each clip4j precision with that JVM option (at 2+
           threads), e.g. one forward pass on libtorch's intra-op threads against clip4j's split batches;
           --also-precisions and --also-all-threads narrow or widen that (e.g. --also=-Dclip4j.fp16PackedWeights=false
           --also-precisions fp32 --also-all-threads: fp32 on OpenBLAS beside fp32 on fp16-packed weights).
  spread:  the same clip4j batch in N fresh JVMs in a row, alternating with and without a JVM property
           (default: -Dclip4j.mallocThresholds=false, the bootstrap step that keeps temporaries in the heap), and
           reports the fastest batch of each JVM, its minor page faults, and slowest/fastest per variant.

DIR holds what export_onnx.py and RandomCheckpoints wrote: vit-b-32.pt, vit-b-32-visual.onnx, pixels16.npy,
reference16.npy. JAR is clip-benchmarks/target/benchmarks.jar (its lib/ beside it).

  /usr/bin/python3 compare_ort.py compare --jar clip-benchmarks/target/benchmarks.jar --dir /tmp/ort \\
      --threads 1,2 --rounds 3 --warmup 2 --iters 5
  /usr/bin/python3 compare_ort.py spread --jar clip-benchmarks/target/benchmarks.jar --dir /tmp/ort --jvms 10
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

import numpy as np

PKG = "io.github.clip4j.benchmarks."


def load():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def run(jar, program, args, jvm_args=()):
    cmd = ["java", *jvm_args, "-cp", jar, PKG + program, *args]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def common(a, threads, precision, features=None):
    out = ["--pixels", os.path.join(a.dir, "pixels16.npy"), "--precision", precision, "--threads", str(threads),
           "--warmup", str(a.warmup), "--iters", str(a.iters), "--json"]
    return out + (["--features", features] if features else [])


def cosine(x, y):
    return float(((x * y).sum(1) / np.linalg.norm(x, axis=1) / np.linalg.norm(y, axis=1)).min())


def compare(a):
    ckpt = os.path.join(a.dir, "vit-b-32.pt")
    onnx = os.path.join(a.dir, "vit-b-32-visual.onnx")
    # (name, program, model, precision, JVM options, thread counts it runs at: None = all)
    engines = [("ort fp32", "OrtBenchmark", onnx, "fp32", [], None)] + [
        (f"clip4j {p}", "ClipBenchmark", ckpt, p, [], None) for p in a.precisions.split(",")]
    if a.also:
        # the same clip4j precisions with a JVM option (e.g. -Dclip4j.splitBatches=false), where threads > 1
        engines += [(f"clip4j {p} {a.also}", "ClipBenchmark", ckpt, p, [a.also],
                     None if a.also_all_threads else "multi")
                    for p in (a.also_precisions or a.precisions).split(",")]
    threads = [int(x) for x in a.threads.split(",")]
    best = {}
    for r in range(a.rounds):
        for t in threads:
            for name, program, model, precision, jvm_args, only in engines:
                if only == "multi" and t < 2:
                    continue
                feats = os.path.join(a.dir, feature_file(name, t)) if r == 0 else None
                before = load()
                result = run(a.jar, program, ["--model", model] + common(a, t, precision, feats), jvm_args)
                print(f"round {r + 1} threads {t} {name}: {json.dumps(result)} load {before}->{load()}", flush=True)
                best.setdefault((name, t), []).append(result)
        if r == 0:
            reference = np.load(os.path.join(a.dir, "reference16.npy"))
            for t in threads:
                ort = np.load(os.path.join(a.dir, feature_file("ort fp32", t)))
                for name, _, _, _, _, only in engines:
                    if only == "multi" and t < 2:
                        continue
                    f = np.load(os.path.join(a.dir, feature_file(name, t)))
                    print(f"features {name}, {t} threads: min cosine to reference {cosine(f, reference):.7f}, "
                          f"to ort {cosine(f, ort):.7f}", flush=True)
    print("\n| engine | threads | best batch ms (median of rounds) | CPU ms per batch | images/s | speed-up vs ORT |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for t in threads:
        ort_ms = statistics.median(x["best_batch_ms"] for x in best[("ort fp32", t)])
        for name, _, _, _, _, _ in engines:
            if (name, t) not in best:
                continue
            rows = best[(name, t)]
            ms = statistics.median(x["best_batch_ms"] for x in rows)
            cpu = statistics.median(x["cpu_ms_per_batch"] for x in rows)
            print(f"| {name} | {t} | {ms:.0f} | {cpu:.0f} | {16000 / ms:.1f} | {ort_ms / ms:.2f}x |")


def feature_file(name, threads):
    clean = "".join(c if c.isalnum() else "-" for c in name)
    return f"features-{clean}-t{threads}.npy"


def spread(a):
    ckpt = os.path.join(a.dir, "vit-b-32.pt")
    variants = [("library default", [])] + ([(a.without, [a.without])] if a.without else [])
    results = {v: [] for v, _ in variants}
    for i in range(a.jvms):
        for name, jvm_args in variants:
            before = load()
            result = run(a.jar, "ClipBenchmark", ["--model", ckpt] + common(a, a.threads, a.precision), jvm_args)
            results[name].append(result)
            print(f"jvm {i + 1} {name}: best {result['best_batch_ms']:.0f} ms, median "
                  f"{result['median_batch_ms']:.0f} ms, cpu {result['cpu_ms_per_batch']:.0f} ms, minor faults "
                  f"{result['minor_faults_per_batch']:.0f} per batch, rss {result.get('rss_mb', '?')} MB, "
                  f"load {before}->{load()}", flush=True)
    for name, _ in variants:
        ms = [x["best_batch_ms"] for x in results[name]]
        cpu = [x["cpu_ms_per_batch"] for x in results[name]]
        print(f"{name}: {len(ms)} JVMs, fastest batch {min(ms):.0f}..{max(ms):.0f} ms (slowest/fastest "
              f"{max(ms) / min(ms):.2f}), CPU per batch {min(cpu):.0f}..{max(cpu):.0f} ms "
              f"({max(cpu) / min(cpu):.2f})")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["compare", "spread"])
    p.add_argument("--jar", required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--threads", default="1,2")
    p.add_argument("--precisions", default="fp32,bf16,int8")
    p.add_argument("--precision", default="bf16")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--iters", type=int, default=5)
    p.add_argument("--jvms", type=int, default=10)
    p.add_argument("--also", default="",
                   help="compare: also run each clip4j precision with this JVM option at thread counts > 1")
    p.add_argument("--also-precisions", default="",
                   help="compare: the precisions --also runs (default: all of --precisions)")
    p.add_argument("--also-all-threads", action="store_true",
                   help="compare: run --also at every thread count, not only above 1")
    p.add_argument("--without", default="-Dclip4j.mallocThresholds=false",
                   help="JVM option of the variant to alternate with ('' for none)")
    a = p.parse_args()
    if a.mode == "spread":
        a.threads = int(a.threads.split(",")[0])
        spread(a)
    else:
        compare(a)


if __name__ == "__main__":
    main()
