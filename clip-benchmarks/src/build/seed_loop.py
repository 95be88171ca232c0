"""The reference's seed loop, for PhotoLibraryBenchmark: open, preprocess, encode one photo at a time.

OpenAI's CLIP model code (clip/model.py of github.com/openai/CLIP, not part of clip4j) is loaded from --clip-src;
the weights are the benchmark's random ViT-B/32 state dict (torch.save format, fp16, loaded as clip.load does on
the CPU: build_model(...).float()). The transform is CLIP's own: Resize(224, bicubic), CenterCrop(224),
convert("RGB"), ToTensor, Normalize(CLIP's mean and std). torch uses 2 threads.

Prints one line: "<loop seconds> <peak RSS kB>".
"""
import argparse
import importlib.util
import os
import resource
import sys
import time

import torch
from PIL import Image
from torchvision.transforms import CenterCrop, Compose, InterpolationMode, Normalize, Resize, ToTensor


def load_model_module(clip_src):
    path = os.path.join(clip_src, "model.py")
    spec = importlib.util.spec_from_file_location("openai_clip_model", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clip-src", required=True, help="folder holding OpenAI's clip/model.py")
    parser.add_argument("--weights", required=True)
    parser.add_argument("--photos", required=True)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    model_py = load_model_module(args.clip_src)
    state_dict = torch.load(args.weights, map_location="cpu")
    model = model_py.build_model(state_dict).float().eval()
    size = model.visual.input_resolution
    preprocess = Compose([
        Resize(size, interpolation=InterpolationMode.BICUBIC),
        CenterCrop(size),
        lambda image: image.convert("RGB"),
        ToTensor(),
        Normalize((0.48145466, 0.4578275, 0.40821073), (0.26862954, 0.26130258, 0.27577711)),
    ])

    files = sorted(os.path.join(args.photos, f) for f in os.listdir(args.photos) if f.lower().endswith(".jpg"))
    start = time.perf_counter()
    features = []
    with torch.no_grad():
        for file in files:
            image = preprocess(Image.open(file)).unsqueeze(0)
            features.append(model.encode_image(image))
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("%d photos in %.1f s" % (len(files), seconds), file=sys.stderr)
    print("%.3f %d" % (seconds, peak_kb))


if __name__ == "__main__":
    main()
