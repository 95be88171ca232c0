/**
 * The text normalisation of CLIP's tokenizer: {@link io.github.clip4j.internal.text.TextCleaner}.
 *
 * <p>It reproduces, character for character, what the reference does before byte-pair encoding:
 * {@code ftfy.fix_text} (ftfy 6.3.1) followed by Python's {@code html.unescape}, {@code str.strip},
 * {@code re.sub(r'\s+', ' ', ...)} and {@code str.lower}. The data it needs (ftfy's character classes and
 * codecs, HTML5 entities, CPython's case and whitespace tables) is generated from CPython and ftfy by
 * {@code clip-tokenizer/src/build/generate_text_tables.py}; everything else is plain Java without dependencies.
 */
package io.github.clip4j.internal.text;
