#!/usr/bin/env bash
# How far two cores can go on this machine, and what -j 2 loses against it.
# Each round times the bundled library over the corpus:
#   one core     -j 1, pinned to CPU 0;
#   side by side two processes, each over the whole corpus, pinned to CPU 0
#                and CPU 1: twice the work in about the time of once when
#                the cores do not slow each other down, so 2 × one core /
#                this is what the machine gives two cores on this job;
#   halves       two processes, each over half the corpus (split at the
#                middle byte, between lines), pinned to CPU 0 and CPU 1:
#                the halves do not cost the same (the second has the longer
#                documents), and each pays its own start-up and warm-up;
#   -j 2         one process, two threads.
# Output goes to /dev/null (a file's truncation would be timed too).
# Prints each round's times and ratios to one core, then their medians.
# See bench/README.md.
#
#   bash bench/halves.sh [CORPUS.jsonl] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

corpus=${1:-../shared/corpus/speeches.jsonl}
rounds=${2:-7}
need_corpus "$corpus" first
need_two_cores
cargo build --release --quiet
gleaner=target/release/gleaner
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The first half: whole lines up to the middle byte.
half=$(($(wc -c <"$corpus") / 2))
LC_ALL=C awk -v half="$half" -v a="$tmp/a.jsonl" -v b="$tmp/b.jsonl" \
    '{ n += length($0) + 1; print > (n <= half ? a : b) }' "$corpus"

ms() { echo $((($2 - $1) / 1000000)); }
run() { "$@" --quiet --format jsonl; }
both=() halves=() threads=()
for ((r = 1; r <= rounds; r++)); do
    t0=$(now)
    run taskset -c 0 "$gleaner" run -j 1 "$corpus" >/dev/null
    t1=$(now)
    run taskset -c 0 "$gleaner" run -j 1 "$corpus" >/dev/null &
    run taskset -c 1 "$gleaner" run -j 1 "$corpus" >/dev/null
    wait
    t2=$(now)
    run taskset -c 0 "$gleaner" run -j 1 "$tmp/a.jsonl" >/dev/null &
    run taskset -c 1 "$gleaner" run -j 1 "$tmp/b.jsonl" >/dev/null
    wait
    t3=$(now)
    run "$gleaner" run -j 2 "$corpus" >/dev/null
    t4=$(now)
    one=$(ms "$t0" "$t1") pair=$(ms "$t1" "$t2") split=$(ms "$t2" "$t3") two=$(ms "$t3" "$t4")
    rb=$(ratio "$((2 * one))" "$pair") rh=$(ratio "$one" "$split") rt=$(ratio "$one" "$two")
    both+=("$rb") halves+=("$rh") threads+=("$rt")
    echo "round $r: one core $one ms; side by side $pair ms (${rb}x); halves $split ms (${rh}x); -j 2 $two ms (${rt}x)"
done
echo "median against one core: side by side $(median "${both[@]}")x; halves $(median "${halves[@]}")x; -j 2 $(median "${threads[@]}")x"
