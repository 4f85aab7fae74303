#!/usr/bin/env bash
# gleaner against spaCy and the floors, side by side in one run, one core each
# unless said. Prints one table: MB/s (median, min–max over the runs) and the
# number of matches or records. See bench/README.md.
#
#   bash bench/compare.sh [CORPUS.jsonl] [RUNS]
#
# CORPUS defaults to ../shared/corpus/speeches.jsonl; RUNS to 5. The first run
# makes a Python virtual environment in bench/.venv with spaCy 3.8 from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

corpus=${1:-../shared/corpus/speeches.jsonl}
runs=${2:-5}
need_corpus "$corpus" first

echo "== building (release)" >&2
cargo build --release --quiet
cargo build --release --quiet --example bench_tool
gleaner=target/release/gleaner
tool=target/release/examples/bench_tool

venv=bench/.venv
if [[ ! -x $venv/bin/python ]] || ! $venv/bin/python -c 'import spacy' 2>/dev/null; then
    echo "== making $venv with spaCy 3.8 (once)" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet 'spacy>=3.8,<3.9'
fi

# One core: every entry but the two-core one runs pinned to CPU 0 (gleaner
# reads in a thread of its own, which would otherwise use the other core).
one=()
if command -v taskset >/dev/null && [[ $(nproc) -ge 2 ]]; then
    one=(taskset -c 0)
fi

bytes=$("$tool" scan "$corpus" | cut -d' ' -f1)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# gleaner's runs write to /dev/null (what the issue measures): a file would
# charge each timed run with the kernel's work of truncating the last run's
# output (about 15 ms for the 29 MB of the bundled library's). Their counts
# come from one untimed run each, before the timed ones, which also checks
# that -j 2 writes exactly what -j 1 does.
gleaner_run() {
    local name=$1 rules=() jobs=1 pin=("${one[@]}")
    [[ $name == gleaner-2 ]] && rules=(--rules bench/two_patterns.rules)
    [[ $name == gleaner-all-j2 ]] && jobs=2 && pin=()
    "${pin[@]}" "$gleaner" run "${rules[@]}" -j "$jobs" --quiet --format jsonl "$corpus"
}
declare -A counted
for n in gleaner-2 gleaner-all gleaner-all-j2; do
    gleaner_run "$n" >"$tmp/$n.jsonl"
    counted[$n]=$(wc -l <"$tmp/$n.jsonl")
done
if ! cmp -s "$tmp/gleaner-all.jsonl" "$tmp/gleaner-all-j2.jsonl"; then
    echo "error: -j 2 wrote other records than -j 1" >&2
    exit 1
fi
rm "$tmp"/gleaner-*.jsonl

# One measurement: prints "<seconds> <count>".
measure() {
    local name=$1
    case $name in
        scan | tokenize)
            "${one[@]}" "$tool" "$name" "$corpus" | awk '{print $3, $2}' ;;
        spacy-2)
            "${one[@]}" "$venv/bin/python" bench/spacy_match.py "$corpus" | awk '{print $3, $2}' ;;
        gleaner-2 | gleaner-all | gleaner-all-j2)
            local start
            start=$(now)
            gleaner_run "$name" >/dev/null
            echo "$(ratio "$(($(now) - start))" 1e9 9) ${counted[$name]}" ;;
    esac
}

names=(scan tokenize gleaner-2 spacy-2 gleaner-all gleaner-all-j2)
# Interleave the runs, so that a noisy moment of the machine hits every entry.
for ((r = 1; r <= runs; r++)); do
    for n in "${names[@]}"; do
        measure "$n" >>"$tmp/$n"
    done
    echo "   run $r of $runs done" >&2
done

describe() {
    case $1 in
        scan) echo "byte scan (count white space; read not timed)" ;;
        tokenize) echo "gleaner tokenizer + sentences (read not timed)" ;;
        gleaner-2) echo "gleaner, 2 patterns, end to end" ;;
        spacy-2) echo "spaCy blank('en') + Matcher, 2 patterns" ;;
        gleaner-all) echo "gleaner, bundled library, end to end" ;;
        gleaner-all-j2) echo "gleaner, bundled library, end to end, 2 cores" ;;
    esac
}

printf '\ncorpus: %s (%s bytes of text), %s runs, %s, commit %s%s\n\n' \
    "$corpus" "$bytes" "$runs" "$(date -u +%Y-%m-%d)" "$(git rev-parse --short HEAD)" \
    "$([[ ${#one[@]} -gt 0 ]] && echo ', one-core entries pinned to CPU 0')"
printf '| %-48s | %10s | %-17s | %9s |\n' "what" "MB/s" "min-max" "count"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..50})" "$(printf -- '-%.0s' {1..12})" "$(printf -- '-%.0s' {1..19})" "$(printf -- '-%.0s' {1..11})"
declare -A median
for n in "${names[@]}"; do
    # MB/s of each run, sorted.
    mapfile -t rates < <(awk -v b="$bytes" '{printf "%.2f\n", b / 1e6 / $1}' "$tmp/$n" | sort -g)
    count=$(awk '{print $2}' "$tmp/$n" | sort -u | tr '\n' ' ' | sed 's/ $//')
    mid=${rates[$(((${#rates[@]} - 1) / 2))]}
    median[$n]=$mid
    printf '| %-48s | %10s | %-17s | %9s |\n' "$(describe "$n")" "$mid" "${rates[0]}-${rates[-1]}" "$count"
done
# The ratio of two entries' medians, to $3 decimals (1 unless given).
of() { ratio "${median[$1]}" "${median[$2]}" "${3:-1}"; }
printf '\ngleaner / spaCy, 2 patterns: %s×; bundled library (1 core) / spaCy 2 patterns: %s×;\n' \
    "$(of gleaner-2 spacy-2)" "$(of gleaner-all spacy-2)"
printf 'byte scan / tokenizer: %s×; 2 cores / 1 core (bundled library): %s×\n' \
    "$(of scan tokenize 2)" "$(of gleaner-all-j2 gleaner-all 2)"
# The same ratio run by run (the one-core and two-core runs of a round are
# measured one after the other, so a slow spell of the shared machine weighs
# on both): the median of the per-round ratios, and their range.
mapfile -t pair < <(paste -d' ' "$tmp/gleaner-all" "$tmp/gleaner-all-j2" |
    awk '{printf "%.2f\n", $1 / $3}' | sort -g)
printf '2 cores / 1 core, round by round: median %s× (%s-%s×)\n' \
    "${pair[$(((${#pair[@]} - 1) / 2))]}" "${pair[0]}" "${pair[-1]}"
