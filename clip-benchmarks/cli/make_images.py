"""Writes N small seeded PNG images (SIZE x SIZE RGB, default 64) without any imaging library.

usage: python3 make_images.py N OUT_DIR [SIZE]
"""
import os
import random
import struct
import sys
import zlib


def png(width, height, rows):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + row for row in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    size = int(sys.argv[3]) if len(sys.argv) > 3 else 64
    os.makedirs(out, exist_ok=True)
    rng = random.Random(19)
    for i in range(n):
        r, g, b = rng.randrange(256), rng.randrange(256), rng.randrange(256)
        rows = [bytes(((r + x * 3) % 256, (g + y * 5) % 256, (b + x * y) % 256)[c]
                      for x in range(size) for c in range(3)) for y in range(size)]
        with open(os.path.join(out, "img-%05d.png" % i), "wb") as f:
            f.write(png(size, size, rows))


if __name__ == "__main__":
    main()
