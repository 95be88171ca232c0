"""Writes N JSON Lines texts of 2-12 words drawn (seeded) from the words of the tokenizer fixture corpus.

usage: python3 make_texts.py CASES_JSONL N OUT.jsonl [--words plain|all]

plain (default): only the corpus words made of Latin letters (caption-like prompts); all: every word, including the
corpus's mojibake and exotic-script cases (much slower to clean, for both tokenizers).
"""
import json
import random
import re
import sys


def main():
    cases, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    mode = sys.argv[5] if len(sys.argv) > 5 and sys.argv[4] == "--words" else "plain"
    words = set()
    with open(cases, encoding="utf-8") as f:
        for line in f:
            for word in json.loads(line)["text"].split():
                if mode == "all" or re.fullmatch(r"[A-Za-z][A-Za-z'\-]*[.,!?]?", word):
                    words.add(word)
    words = sorted(words)
    rng = random.Random(19)
    with open(out, "w", encoding="utf-8") as f:
        for _ in range(n):
            text = " ".join(rng.choice(words) for _ in range(rng.randint(2, 12)))
            f.write(json.dumps(text, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
