package io.github.clip4j.internal.model;

import io.github.clip4j.internal.runtime.NativeRuntime;
import java.util.List;
import org.bytedeco.pytorch.GradMode;

/**
 * One tower's fp16-packable products ({@link LinearProduct}), packed together on all cores before the tower's first
 * fp32 inference. Each product would pack its own weight at its first use, but one after another inside the first
 * batch (a split batch's slices wait for each other at every layer): fbgemm's packing takes ~85 ms per ViT-B/32
 * block on this project's machine, ~1 s for the image tower on one thread, which a short job ({@code clip index} of
 * a few dozen photos) does not win back. Every layer is packed before any of them is used, so the first batch
 * computes exactly as the later ones. A product whose weight changes later (training) packs again at first use.
 */
final class TowerPacking {
    private final List<LinearProduct> products;
    private volatile boolean done;

    TowerPacking(List<LinearProduct> products) {
        this.products = products;
        this.done = products.isEmpty();
    }

    /** Packs once, before the first inference that uses packed weights (grad mode off, OpenBLAS on one thread). */
    void beforeInference() {
        if (!done && !GradMode.is_enabled()) {
            pack();
        }
    }

    /** Packs once, now, if the products would use packed weights (OpenBLAS on one thread); other callers wait. */
    synchronized void pack() {
        if (done || NativeRuntime.blasThreads() != 1) {
            return;
        }
        products.parallelStream().forEach(LinearProduct::pack);
        done = true;
    }
}
