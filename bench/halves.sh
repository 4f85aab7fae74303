#!/usr/bin/env bash
# How far two cores can go on this machine: the bundled library over the
# corpus on one core (-j 1, pinned to CPU 0), then as two separate processes
# each given half of the corpus (split at the middle byte, between lines),
# pinned to CPU 0 and CPU 1, then as one process with two threads (-j 2).
# Prints each round's times and the two ratios, then their medians. Two
# processes share nothing, so their ratio is what the machine gives two
# independent halves of the work (each paying its own start-up and warm-up,
# as each thread of -j 2 does). See bench/README.md.
#
#   bash bench/halves.sh [CORPUS.jsonl] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."

corpus=${1:-../shared/corpus/speeches.jsonl}
rounds=${2:-7}
if [[ ! -f $corpus ]]; then
    echo "error: no corpus at $corpus (give its path as the first argument)" >&2
    exit 2
fi
if ! command -v taskset >/dev/null || [[ $(nproc) -lt 2 ]]; then
    echo "error: needs taskset and two cores" >&2
    exit 2
fi
cargo build --release --quiet
gleaner=target/release/gleaner
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The first half: whole lines up to the middle byte.
half=$(($(wc -c <"$corpus") / 2))
LC_ALL=C awk -v half="$half" -v a="$tmp/a.jsonl" -v b="$tmp/b.jsonl" \
    '{ n += length($0) + 1; print > (n <= half ? a : b) }' "$corpus"

now() { date +%s%N; }
ms() { echo $((($2 - $1) / 1000000)); }
run() { "$@" --quiet --format jsonl; }
ratios_procs=() ratios_threads=()
for ((r = 1; r <= rounds; r++)); do
    t0=$(now)
    run taskset -c 0 "$gleaner" run -j 1 "$corpus" >"$tmp/one.jsonl"
    t1=$(now)
    run taskset -c 0 "$gleaner" run -j 1 "$tmp/a.jsonl" >"$tmp/a.out" &
    run taskset -c 1 "$gleaner" run -j 1 "$tmp/b.jsonl" >"$tmp/b.out"
    wait
    t2=$(now)
    run "$gleaner" run -j 2 "$corpus" >"$tmp/two.jsonl"
    t3=$(now)
    one=$(ms "$t0" "$t1") procs=$(ms "$t1" "$t2") threads=$(ms "$t2" "$t3")
    rp=$(echo "scale=2; $one / $procs" | bc) rt=$(echo "scale=2; $one / $threads" | bc)
    ratios_procs+=("$rp") ratios_threads+=("$rt")
    echo "round $r: one core $one ms; two processes $procs ms (${rp}x); -j 2 $threads ms (${rt}x)"
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "median: two processes $(median "${ratios_procs[@]}")x one core; -j 2 $(median "${ratios_threads[@]}")x one core"
