"""OpenAI CLIP's own tokenize over a JSON Lines file, printing what `clip tokenize` prints (one JSON array per line).

usage: python3 reference_tokenize.py CLIP_CHECKOUT FILE.jsonl [--context-length N] [--truncate]

CLIP_CHECKOUT is a checkout of github.com/openai/CLIP (kept outside this repository). Its clip/simple_tokenizer.py
is imported as is, and clip/clip.py's `tokenize` function is taken verbatim from the source (clip.py itself also
imports torchvision and PIL, which tokenizing does not need). Needs torch, ftfy and regex.
"""
import ast
import json
import os
import sys
from typing import List, Union


def main():
    checkout, path = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    context_length = int(args[args.index("--context-length") + 1]) if "--context-length" in args else 77
    truncate = "--truncate" in args

    sys.path.insert(0, os.path.join(checkout, "clip"))
    import torch
    from packaging import version
    from simple_tokenizer import SimpleTokenizer

    source = open(os.path.join(checkout, "clip", "clip.py"), encoding="utf-8").read()
    node = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == "tokenize")
    namespace = {"torch": torch, "version": version, "Union": Union, "List": List,
                 "_tokenizer": SimpleTokenizer()}
    exec(compile(ast.Module(body=[node], type_ignores=[]), "clip/clip.py", "exec"), namespace)
    tokenize = namespace["tokenize"]

    texts = []
    with open(path, encoding="utf-8-sig") as f:
        for line in f:
            if line.strip():
                texts.append(json.loads(line))
    rows = tokenize(texts, context_length=context_length, truncate=truncate).tolist()
    out = sys.stdout
    for row in rows:
        out.write("[" + ",".join(map(str, row)) + "]\n")


if __name__ == "__main__":
    main()
