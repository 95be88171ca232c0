#!/usr/bin/python3
"""Exports the reference CLIP image encoder to ONNX for the ONNX Runtime comparison (issue 17).

Builds OpenAI's model (their clip/model.py, passed with --clip-model: a checkout of github.com/openai/CLIP, not
part of this repository) from a checkpoint clip4j loads too (e.g. one written by RandomCheckpoints), in fp32,
and writes:
  --onnx OUT.onnx     model.visual exported with torch.onnx.export, opset 17, dynamic batch
  --pixels OUT.npy    a seeded random preprocessed batch, <f4 [N, 3, R, R] (both engines time this)
  --features OUT.npy  the reference's features of that batch, <f4 [N, D] (what both engines are checked against)

Runs with Debian's python3-torch (1.13), which exports without the onnx package:
  /usr/bin/python3 export_onnx.py --clip-model CLIP/clip/model.py --checkpoint vit-b-32.pt \\
      --onnx vit-b-32-visual.onnx --pixels pixels16.npy --features reference16.npy --batch 16
"""
import argparse
import importlib.util

import numpy as np
import torch


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clip-model", required=True, help="path of openai/CLIP's clip/model.py")
    parser.add_argument("--checkpoint", required=True, help="a state-dict checkpoint (torch.save zip)")
    parser.add_argument("--onnx", required=True)
    parser.add_argument("--pixels", required=True)
    parser.add_argument("--features", required=True)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    spec = importlib.util.spec_from_file_location("clip_reference_model", args.clip_model)
    reference = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reference)

    state_dict = torch.load(args.checkpoint, map_location="cpu")
    model = reference.build_model(state_dict).float().eval()  # build_model keeps fp16; the comparison is fp32
    visual = model.visual
    resolution = visual.input_resolution

    generator = torch.Generator().manual_seed(args.seed)
    # preprocessed pixels are roughly standard-normal (CLIP's mean/std normalisation); keep them in [-2, 2]
    pixels = (torch.rand(args.batch, 3, resolution, resolution, generator=generator) * 4 - 2).float()
    with torch.no_grad():
        features = visual(pixels)
        torch.onnx.export(visual, pixels, args.onnx, opset_version=17, input_names=["pixels"],
                          output_names=["features"], dynamic_axes={"pixels": {0: "batch"}, "features": {0: "batch"}},
                          do_constant_folding=True)
    np.save(args.pixels, np.ascontiguousarray(pixels.numpy(), dtype="<f4"))
    np.save(args.features, np.ascontiguousarray(features.numpy(), dtype="<f4"))
    print(f"wrote {args.onnx}, {args.pixels} {tuple(pixels.shape)}, {args.features} {tuple(features.shape)}")


if __name__ == "__main__":
    main()
