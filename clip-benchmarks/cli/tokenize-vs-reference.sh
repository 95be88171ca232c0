#!/bin/sh
# clip tokenize against the reference's clip.tokenize, whole process against whole process, side by side.
#
# usage: clip-benchmarks/cli/tokenize-vs-reference.sh CLIP_CHECKOUT [N] [ROUNDS]
#   CLIP_CHECKOUT  a checkout of github.com/openai/CLIP outside this repository
#   N              texts of 2-12 words (default 100000), from the words of ../shared/fixtures/tokenizer/cases.jsonl
#   ROUNDS         alternating runs of each (default 3); the best and the median of each are compared
# Environment: CLIP (default: java -jar clip-examples/target/clip.jar; the distribution's bin/clip is what users
# run), OTHER (optional: a second clip4j command run in the same rounds, e.g. the jar when CLIP is bin/clip),
# PYTHON (default /usr/bin/python3, which must import torch, ftfy, regex and packaging; PYTHONPATH is passed on),
# WORK (default: a temporary folder).
# Prints the load average, each run's wall/user/sys seconds and peak RSS, whether the outputs are the same bytes,
# and the ratios of the best and of the median wall times. Run from the repository root after
# `mvn -DskipTests package`.
set -eu
checkout=$1
n=${2:-100000}
rounds=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
clip=${CLIP:-"java -jar $root/clip-examples/target/clip.jar"}
python=${PYTHON:-/usr/bin/python3}
work=${WORK:-$(mktemp -d)}
cases=${CASES:-$root/../shared/fixtures/tokenizer/cases.jsonl}

input=$work/texts-$n.jsonl
[ -f "$input" ] || "$python" "$here/make_texts.py" "$cases" "$n" "$input"
echo "input: $input ($(wc -l < "$input") texts, $(wc -c < "$input") bytes); $(nproc) cores"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

run() { # name output command...
    name=$1; out=$2; shift 2
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" > "$out"
    read -r wall user sys rss < "$work/time"
    echo "$name: wall ${wall}s user ${user}s sys ${sys}s peak RSS $((rss / 1024)) MB"
    echo "$wall" >> "$work/walls-$name"
    eval "best_$name=\$(awk -v a=\"\${best_$name:-1e9}\" -v b=$wall 'BEGIN { print (b < a) ? b : a }')"
}
rm -f "$work"/walls-*
i=0
while [ "$i" -lt "$rounds" ]; do
    # shellcheck disable=SC2086
    run clip4j "$work/clip4j.out" $clip tokenize --truncate --input "$input"
    if [ -n "${OTHER:-}" ]; then
        # shellcheck disable=SC2086
        run other "$work/other.out" $OTHER tokenize --truncate --input "$input"
        cmp -s "$work/other.out" "$work/clip4j.out" || { echo "OTHER's output differs"; exit 1; }
    fi
    run reference "$work/reference.out" "$python" "$here/reference_tokenize.py" "$checkout" "$input" --truncate
    i=$((i + 1))
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if cmp -s "$work/clip4j.out" "$work/reference.out"; then
    echo "outputs: identical ($(wc -l < "$work/clip4j.out") lines, $(wc -c < "$work/clip4j.out") bytes)"
else
    echo "outputs: DIFFERENT"; cmp "$work/clip4j.out" "$work/reference.out" || true; exit 1
fi
awk -v c="$best_clip4j" -v r="$best_reference" 'BEGIN { printf "best wall: clip4j %.2fs, reference %.2fs: clip4j %.1fx faster\n", c, r, r / c }'
median() { sort -n "$work/walls-$1" | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
awk -v c="$(median clip4j)" -v r="$(median reference)" 'BEGIN { printf "median wall: clip4j %.2fs, reference %.2fs: clip4j %.1fx faster\n", c, r, r / c }'
if [ -n "${OTHER:-}" ]; then
    awk -v c="$(median other)" -v r="$(median reference)" 'BEGIN { printf "median wall: other %.2fs: %.1fx faster than the reference\n", c, r / c }'
fi
