#!/usr/bin/env python3
"""Generates the data tables of io.github.clip4j.internal.text (a dev tool; the build does not run it).

Usage (from the repository root, with ftfy 6.3.1's source importable, e.g. an unpacked sdist on PYTHONPATH):

    PYTHONPATH=/path/to/ftfy-6.3.1 python3 clip-tokenizer/src/build/generate_text_tables.py

It writes
  clip-tokenizer/src/main/java/io/github/clip4j/internal/text/GeneratedTables.java
      single-byte codec tables, ftfy's UTF-8 clue classes, its badness expression as classes and sequences,
      the ligature and width maps, Python's whitespace and html's invalid character references;
  clip-tokenizer/src/main/resources/io/github/clip4j/internal/text/html5-entities.tsv
      Python's html.entities.html5 plus ftfy's upper-cased entity names;
  clip-tokenizer/src/main/resources/io/github/clip4j/internal/text/python-lowercase.tsv
      str.lower()'s mapping and the Cased / Case_Ignorable sets its final-sigma rule uses.

The tables describe CPython's behaviour (the reference tokenizer runs on CPython). The reference ran on Python
3.9/3.10, whose Unicode 13 is also Java 17's (java.text.Normalizer); a newer Python's extra characters are
left out of every table (they behave as unassigned), using Perl's Unicode::UCD for their age. Otherwise only
the stdlib and ftfy's pure-Python modules are used (ftfy imports wcwidth only for display helpers; a stub is
enough).
"""
import html
import html.entities
import os
import re
import subprocess
import sys
import unicodedata

try:
    import wcwidth  # noqa: F401
except ImportError:  # ftfy.formatting needs it at import time, fix_text does not
    import types
    stub = types.ModuleType("wcwidth")
    stub.wcwidth = lambda c: 1
    stub.wcswidth = lambda s: len(s)
    sys.modules["wcwidth"] = stub

import ftfy  # noqa: E402
from ftfy import badness, chardata  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
JAVA = os.path.join(ROOT, "src/main/java/io/github/clip4j/internal/text/GeneratedTables.java")
RES = os.path.join(ROOT, "src/main/resources/io/github/clip4j/internal/text")



def added_after_unicode_13():
    """Code points Unicode 14 (or later, per this Python) assigned: the reference ran on Python 3.9/3.10
    (Unicode 13, like Java 17), where they were unassigned. Python has no age data; Perl's Unicode::UCD does."""
    version = unicodedata.unidata_version
    if version.startswith("13."):
        return set()
    ages = [v for v in ("14.0", "15.0", "15.1", "16.0") if tuple(map(int, v.split("."))) <= tuple(map(int, version.split(".")[:2]))]
    script = ("use Unicode::UCD qw(prop_invlist); for my $age (@ARGV) { my @l = prop_invlist(\"Age=$age\");"
              " while (@l) { my $lo = shift @l; my $hi = @l ? shift(@l) - 1 : 0x10FFFF; print \"$lo $hi\\n\"; } }")
    out = subprocess.run(["perl", "-e", script] + ages, check=True, capture_output=True, text=True).stdout
    added = set()
    for line in out.split("\n"):
        if line:
            lo, hi = map(int, line.split())
            added.update(range(lo, hi + 1))
    assert 0x2C2F in added or not ages, "Perl's Unicode data looks older than Python's"
    return added


NEWER_THAN_13 = added_after_unicode_13()
# The universe the tables describe: code points as Unicode 13 knows them (newer ones behave as unassigned).
ALL_CODEPOINTS = "".join(chr(i) for i in range(0x110000) if i not in NEWER_THAN_13)


def members(class_source, universe=ALL_CODEPOINTS):
    """The code points a Python character class (e.g. '[a-z\\s]') matches, found by asking re itself."""
    rx = re.compile(class_source)
    return [ord(m.group()) for m in rx.finditer(universe)]


def ranges(cps):
    out = []
    for cp in sorted(set(cps)):
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return out


def find_class_end(pattern, start):
    """Index just past the ']' closing the class that opens at pattern[start] == '['."""
    i = start + 1
    if i < len(pattern) and pattern[i] == "^":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        i += 1
    while pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i + 1


def parse_alternatives(pattern, verbose):
    """Parses the subset of Python regex syntax ftfy's BADNESS_RE uses into alternatives of atoms.

    An atom is '^' (start of text) or (class members, optional). Classes are expanded to the code points
    Python's re itself matches (so Unicode \\s, \\w and negated classes keep their exact meaning); a literal
    outside a class is a one-member class, '.' is [^\\n]. Anything else (groups, repetition counts) raises.
    """
    alternatives = [[]]
    i = 0
    while i < len(pattern):
        c = pattern[i]
        current = alternatives[-1]
        if c == "[":
            end = find_class_end(pattern, i)
            src = pattern[i:end]
            if src.startswith("[^"):
                current.append([("!", tuple(members("[" + src[2:]))), False])
            else:
                current.append([("", tuple(members(src))), False])
            i = end
        elif c == "\\":
            current.append([("", tuple(members("[" + pattern[i:i + 2] + "]"))), False])
            i += 2
        elif verbose and c.isspace():
            i += 1
        elif verbose and c == "#":
            while i < len(pattern) and pattern[i] != "\n":
                i += 1
        elif c == "|":
            alternatives.append([])
            i += 1
        elif c == "?":
            current[-1][1] = True
            i += 1
        elif c == "^":
            current.append(["^", False])
            i += 1
        elif c == ".":  # any character but a newline (no DOTALL)
            current.append([("!", (0x0A,)), False])
            i += 1
        elif c in "()*+{}$":
            raise ValueError("unsupported regex syntax %r at %d" % (c, i))
        else:
            current.append([("", (ord(c),)), False])
            i += 1
    return alternatives


def badness_tables():
    alternatives = parse_alternatives(badness.BADNESS_RE.pattern, verbose=True)
    classes, index = [], {}
    encoded = []
    for alt in alternatives:
        atoms = []
        for atom, optional in alt:
            if atom == "^":
                atoms.append("^")
                continue
            if atom not in index:
                index[atom] = len(classes)
                classes.append(atom)
            atoms.append(str(index[atom]) + ("?" if optional else ""))
        encoded.append(" ".join(atoms))
    # Check the parse against Python on every probe string we can think of: each alternative must match
    # exactly the strings made of its classes' first members.
    for alt in alternatives:
        probe = "".join(chr(a[0][1][0]) if a[0] != "^" and a[0][0] == "" else ("" if a[0] == "^" else "1")
                        for a in alt)
        assert badness.BADNESS_RE.search(probe), (alt, probe)
    # Every alternative needs a non-ASCII character, so ASCII text is never bad (the Java side relies on it).
    for alt in alternatives:
        assert any(a[0] != "^" and a[0][0] == "" and not a[1] and min(a[0][1]) >= 0x80 for a in alt), alt
    class_strings = [neg + " ".join("%X-%X" % (lo, hi) for lo, hi in ranges(cps)) for neg, cps in classes]
    return class_strings, encoded


def jstr(s):
    """A Java string literal (ASCII only: octal escapes for ASCII controls, \\u escapes above)."""
    out = []
    for ch in s:
        cp = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif 0x20 <= cp < 0x7F:
            out.append(ch)
        elif cp < 0x80:  # \u000A would end the literal: javac reads \u escapes before anything else
            out.append("\\%03o" % cp)
        elif cp > 0xFFFF:
            hi, lo = divmod(cp - 0x10000, 0x400)
            out.append("\\u%04X\\u%04X" % (0xD800 + hi, 0xDC00 + lo))
        else:
            out.append("\\u%04X" % cp)
    return '"' + "".join(out) + '"'


def chunked(literal_parts):
    return "\n            + ".join(literal_parts)


def java_long_string(s, width=48):
    return chunked([jstr(s[i:i + width]) for i in range(0, len(s), width)] or ['""'])


def codec_tables():
    names, tables = [], []
    for enc in chardata.CHARMAP_ENCODINGS:
        table = bytes(range(256)).decode(enc)
        assert len(table) == 256, enc
        assert table[:0x1A] + table[0x1B:0x80] == "".join(map(chr, range(0x1A))) + "".join(map(chr, range(0x1B, 0x80)))
        assert len(set(table)) == 256, enc  # a bijection: encoding is the inverse lookup
        names.append(enc)
        tables.append(table)
    strict = bytes(range(256)).decode("windows-1252", errors="replace").replace("\ufffd", "\uffff")
    return names, tables, strict


def utf8_clue_sets():
    out = {}
    for key, value in chardata.UTF8_CLUES.items():
        out[key] = "".join(chr(c) for c in members("[" + value + "]"))
    return out


def check_detector_shape():
    # The Java side implements UTF8_DETECTOR_RE by hand (a '+' over groups would recurse in java.util.regex);
    # make sure the expression still has the shape that code assumes.
    compact = re.sub(r"\s+", "", chardata.UTF8_DETECTOR_RE.pattern.replace("[ ]", "[SP]"))
    assert compact.startswith("(?<![") and compact.endswith("]{3})+"), compact[:40]


def write_java():
    names, tables, strict = codec_tables()
    clues = utf8_clue_sets()
    check_detector_shape()
    badness_classes, badness_alts = badness_tables()
    width_keys = "".join(chr(k) for k in sorted(chardata.WIDTH_MAP))
    width_values = [chardata.WIDTH_MAP[k] for k in sorted(chardata.WIDTH_MAP)]
    lig_keys = "".join(chr(k) for k in sorted(chardata.LIGATURES))
    lig_values = [chardata.LIGATURES[k] for k in sorted(chardata.LIGATURES)]
    whitespace = "".join(chr(c) for c in members(r"[\s]"))
    assert whitespace == "".join(c for c in ALL_CODEPOINTS if c.isspace())
    assert not any(k in NEWER_THAN_13 for k in chardata.WIDTH_MAP)
    control = "".join(chr(k) for k in sorted(chardata.CONTROL_CHARS))
    inv_keys = sorted(html._invalid_charrefs)
    inv_cps = sorted(html._invalid_codepoints)

    lines = []
    w = lines.append
    w("// GENERATED by clip-tokenizer/src/build/generate_text_tables.py from Python %s (Unicode %s, restricted to"
      % (sys.version.split()[0], unicodedata.unidata_version))
    w("// the characters of Unicode 13) and ftfy %s." % ftfy.__version__)
    w("// Do not edit: change the generator and run it again.")
    w("package io.github.clip4j.internal.text;")
    w("")
    w("/** Data tables derived from CPython and ftfy; see the generator script for what each one is. */")
    w("final class GeneratedTables {")
    w("    private GeneratedTables() {}")
    w("")
    w("    /** ftfy's single-byte encodings, in the order it tries them. */")
    w("    static final String[] CHARMAP_NAMES = {" + ", ".join(jstr(n) for n in names) + "};")
    w("")
    w("    /** For each of {@link #CHARMAP_NAMES}, the 256 characters bytes 0x00..0xFF decode to (sloppy codecs: byte 0x1A is U+FFFD). */")
    w("    static final String[] CHARMAP_DECODING = {")
    for t in tables:
        w("        " + java_long_string(t, 32) + ",")
    w("    };")
    w("")
    w("    /** Strict windows-1252: bytes 0x00..0xFF, U+FFFF where the byte is undefined. */")
    w("    static final String WINDOWS_1252_STRICT =\n            " + java_long_string(strict, 32) + ";")
    w("")
    for key in ["utf8_first_of_2", "utf8_first_of_3", "utf8_first_of_4", "utf8_continuation", "utf8_continuation_strict"]:
        w("    /** Members of ftfy's {@code %s} character class. */" % key)
        w("    static final String %s =\n            %s;" % (key.upper(), java_long_string(clues[key])))
        w("")
    w("    /**")
    w("     * ftfy's BADNESS_RE as data: the character classes, each as hex code point ranges {@code lo-hi} (a leading")
    w("     * {@code !} negates), and the alternatives, each a sequence of class indexes ({@code ?}: optional) or")
    w("     * {@code ^} (start of text).")
    w("     */")
    w("    static final String[] BADNESS_CLASSES = {")
    for cls in badness_classes:
        w("        " + java_long_string(cls, 96) + ",")
    w("    };")
    w("    static final String[] BADNESS_ALTERNATIVES = {")
    for alt in badness_alts:
        w("        " + jstr(alt) + ",")
    w("    };")
    w("")
    w("    /** Characters ftfy's fix_character_width replaces, sorted, and their replacements, joined by U+0000. */")
    w("    static final String WIDTH_KEYS =\n            " + java_long_string(width_keys) + ";")
    w("    static final String WIDTH_VALUES =\n            " + java_long_string("\0".join(width_values)) + ";")
    w("")
    w("    /** Ligatures ftfy's fix_latin_ligatures splits, sorted, and what each becomes. */")
    w("    static final String LIGATURE_KEYS = " + jstr(lig_keys) + ";")
    w("    static final String[] LIGATURE_VALUES = {" + ", ".join(jstr(v) for v in lig_values) + "};")
    w("")
    w("    /** Characters ftfy's remove_control_chars deletes. */")
    w("    static final String CONTROL_CHARS =\n            " + java_long_string(control) + ";")
    w("")
    w("    /** Python's str.isspace() characters: regex \\\\s, str.strip() and str.split(). */")
    w("    static final String PYTHON_WHITESPACE = " + jstr(whitespace) + ";")
    w("")
    w("    /** html.unescape's replacements for invalid numeric references: code points and their replacements. */")
    w("    static final int[] INVALID_CHARREF_KEYS = {" + ", ".join("0x%X" % k for k in inv_keys) + "};")
    w("    static final String INVALID_CHARREF_VALUES = " + jstr("".join(html._invalid_charrefs[k] for k in inv_keys)) + ";")
    w("")
    w("    /** Code points html.unescape drops when referenced numerically, as sorted [from, to] ranges. */")
    w("    static final int[] INVALID_CODEPOINT_RANGES = {")
    rs = ranges(inv_cps)
    for i in range(0, len(rs), 6):
        w("        " + " ".join("0x%X, 0x%X," % (lo, hi) for lo, hi in rs[i:i + 6]))
    w("    };")
    w("}")
    assert all(len(html._invalid_charrefs[k]) == 1 for k in inv_keys)
    with open(JAVA, "w", encoding="ascii") as f:
        f.write("\n".join(lines) + "\n")


def hexs(s):
    return " ".join("%X" % ord(c) for c in s)


def write_entities():
    rows = ["# GENERATED by src/build/generate_text_tables.py: Python %s html.entities.html5 (kind H) and the"
            % sys.version.split()[0],
            "# upper-cased names ftfy %s also decodes (kind U, name with '&'). Columns: kind, name, code points (hex)."
            % ftfy.__version__]
    for name, value in sorted(html.entities.html5.items()):
        rows.append("H\t%s\t%s" % (name, hexs(value)))
    html5_semicolon = {"&" + n for n in html.entities.html5 if n.endswith(";")}
    for name, value in sorted(chardata.HTML_ENTITIES.items()):
        if name not in html5_semicolon:
            rows.append("U\t%s\t%s" % (name, hexs(value)))
    with open(os.path.join(RES, "html5-entities.tsv"), "w", encoding="utf-8") as f:
        f.write("\n".join(rows) + "\n")


def write_lowercase():
    sigma = "\u03a3"
    # Python's final-sigma rule skips Case_Ignorable characters, then asks whether the next one is Cased;
    # unicodedata exposes neither property, so probe str.lower() itself.
    ignorable = [cp for cp in range(0x110000) if cp not in NEWER_THAN_13 and ("A" + sigma + chr(cp) + "A").lower()[1] == "\u03c3"
                 and ("A" + sigma + chr(cp) + " ").lower()[1] == "\u03c2"]
    ign = set(ignorable)
    cased = [cp for cp in range(0x110000) if cp not in ign and cp not in NEWER_THAN_13 and (" " + chr(cp) + sigma).lower()[-1] == "\u03c2"]
    rows = ["# GENERATED by src/build/generate_text_tables.py from Python %s (Unicode %s, restricted to the"
            % (sys.version.split()[0], unicodedata.unidata_version),
            "# characters of Unicode 13): str.lower().",
            "# 'M cp lower...' mappings (U+03A3 also has the final-sigma rule), 'I from to' Case_Ignorable ranges,",
            "# 'C from to' Cased ranges (only of characters that are not Case_Ignorable: the rule never asks others)."]
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF or cp in NEWER_THAN_13:
            continue
        low = chr(cp).lower()
        if low != chr(cp):
            rows.append("M\t%X\t%s" % (cp, hexs(low)))
    for lo, hi in ranges(ignorable):
        rows.append("I\t%X\t%X" % (lo, hi))
    for lo, hi in ranges(cased):
        rows.append("C\t%X\t%X" % (lo, hi))
    with open(os.path.join(RES, "python-lowercase.tsv"), "w", encoding="ascii") as f:
        f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    os.makedirs(RES, exist_ok=True)
    write_java()
    write_entities()
    write_lowercase()
