#!/bin/sh
# clip embed's streamed output: how much of a run writing the JSON takes (the --verbose profile line), and peak
# memory for growing numbers of inputs under a fixed small heap (flat = the inputs are never all held).
#
# usage: clip-benchmarks/cli/embed-profile.sh [MODEL] [TEXTS] [IMAGES]
#   MODEL   default ../shared/fixtures/models/vit-tiny.jit.pt; TEXTS default 10000; IMAGES default 1000
# Environment: CLIP (default: java -jar clip-examples/target/clip.jar), HEAP (default 96m: -Xmx of every run),
# PYTHON (default python3), WORK (default: a temporary folder). Output goes to /dev/null.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
model=${1:-$root/../shared/fixtures/models/vit-tiny.jit.pt}
texts=${2:-10000}
images=${3:-1000}
heap=${HEAP:-96m}
clip=${CLIP:-"java -Xmx$heap -jar $root/clip-examples/target/clip.jar"}
python=${PYTHON:-python3}
work=${WORK:-$(mktemp -d)}
cases=${CASES:-$root/../shared/fixtures/tokenizer/cases.jsonl}

"$python" "$here/make_texts.py" "$cases" "$texts" "$work/prompts.jsonl"
"$python" "$here/make_images.py" "$images" "$work/images"
echo "$(nproc) cores; heap -Xmx$heap; model $model"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

run() { # label args...
    label=$1; shift
    # shellcheck disable=SC2086
    /usr/bin/time -f "%e %M" -o "$work/time" $clip --verbose --no-progress embed --raw --model "$model" "$@" \
        > /dev/null 2> "$work/err"
    read -r wall rss < "$work/time"
    profile=$(grep '^clip: embed:' "$work/err" | sed 's/^clip: embed: //')
    echo "$label: wall ${wall}s, peak RSS $((rss / 1024)) MB; $profile"
}
for n in $((texts / 10)) "$texts"; do
    head -n "$n" "$work/prompts.jsonl" > "$work/prompts-$n.jsonl"
    run "texts $n" --text-file "$work/prompts-$n.jsonl"
done
for n in $((images / 10)) "$images"; do
    set --
    for f in $(ls "$work/images" | head -n "$n"); do set -- "$@" --image "$work/images/$f"; done
    run "images $n" "$@"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
