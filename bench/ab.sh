#!/usr/bin/env bash
# Two commits of gleaner against each other, side by side: builds each (in a
# temporary git worktree, sharing one target folder so that only gleaner
# itself is compiled twice), checks that both write the same JSON Lines for
# the corpus with the bundled library, then times them in alternating
# rounds — A and B on one core (pinned to CPU 0), then A and B with -j 2 —
# so that a noisy moment of the shared machine hits both. Prints each
# round, then the medians and the median of the per-round ratios B / A
# (below 1: B is faster), of wall-clock time and then of CPU time (user +
# system). See bench/README.md.
#
#   bash bench/ab.sh REV_A REV_B [CORPUS.jsonl] [ROUNDS]
#
# For example `bash bench/ab.sh HEAD~1 HEAD` before committing a change that
# is meant to be faster. A revision may be anything `git rev-parse` takes.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

if [[ $# -lt 2 ]]; then
    echo "usage: bash bench/ab.sh REV_A REV_B [CORPUS.jsonl] [ROUNDS]" >&2
    exit 2
fi
corpus=${3:-../shared/corpus/speeches.jsonl}
rounds=${4:-9}
need_corpus "$corpus" third
need_two_cores
corpus=$(realpath "$corpus")
revs=()
for rev in "$1" "$2"; do
    if ! revs+=("$(git rev-parse --verify --quiet "$rev^{commit}")"); then
        echo "error: $rev is not a commit here" >&2
        exit 2
    fi
done

tmp=$(mktemp -d)
cleanup() {
    for side in a b; do
        if [[ -d $tmp/$side ]]; then
            git worktree remove --force "$tmp/$side" >/dev/null 2>&1 || true
        fi
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
for i in 0 1; do
    side=$([[ $i == 0 ]] && echo a || echo b)
    git worktree add --quiet --detach "$tmp/$side" "${revs[$i]}"
    echo "building ${side^^} = ${revs[$i]:0:7} ($(git log -1 --format=%s "${revs[$i]}"))" >&2
    CARGO_TARGET_DIR="$tmp/target" cargo build --release --quiet \
        --manifest-path "$tmp/$side/Cargo.toml"
    cp "$tmp/target/release/gleaner" "$tmp/gleaner-$side"
done

run() { "$@" --quiet --format jsonl "$corpus"; }
run "$tmp/gleaner-a" run -j 2 >"$tmp/a.jsonl"
run "$tmp/gleaner-b" run -j 2 >"$tmp/b.jsonl"
if cmp -s "$tmp/a.jsonl" "$tmp/b.jsonl"; then
    echo "output: the same ($(wc -l <"$tmp/a.jsonl") records)"
else
    echo "output: DIFFERS (A $(wc -l <"$tmp/a.jsonl") records, B $(wc -l <"$tmp/b.jsonl"))"
fi

# Milliseconds of one run: wall-clock time, then CPU time (user + system,
# all threads). With -j 2, CPU time is the work both threads did, which
# the wall clock hides where a core would have been idle.
time_ms() {
    local TIMEFORMAT='%3R %3U %3S'
    { time run "$@" >/dev/null 2>&3; } 3>&2 2>"$tmp/time"
    awk '{ printf "%.0f %.0f\n", $1 * 1000, ($2 + $3) * 1000 }' "$tmp/time"
}
a1=() b1=() a2=() b2=() r1=() r2=()
ca1=() cb1=() ca2=() cb2=() c1=() c2=()
for ((r = 1; r <= rounds; r++)); do
    read -r ta1 xa1 < <(time_ms taskset -c 0 "$tmp/gleaner-a" run -j 1)
    read -r tb1 xb1 < <(time_ms taskset -c 0 "$tmp/gleaner-b" run -j 1)
    read -r ta2 xa2 < <(time_ms "$tmp/gleaner-a" run -j 2)
    read -r tb2 xb2 < <(time_ms "$tmp/gleaner-b" run -j 2)
    a1+=("$ta1") b1+=("$tb1") a2+=("$ta2") b2+=("$tb2")
    r1+=("$(ratio "$tb1" "$ta1" 3)") r2+=("$(ratio "$tb2" "$ta2" 3)")
    ca1+=("$xa1") cb1+=("$xb1") ca2+=("$xa2") cb2+=("$xb2")
    c1+=("$(ratio "$xb1" "$xa1" 3)") c2+=("$(ratio "$xb2" "$xa2" 3)")
    echo "round $r: one core A $ta1 ms, B $tb1 ms; two cores A $ta2 ms, B $tb2 ms" \
        "(CPU: A $xa1, B $xb1; A $xa2, B $xb2)"
done
ma1=$(median "${a1[@]}") mb1=$(median "${b1[@]}") ma2=$(median "${a2[@]}") mb2=$(median "${b2[@]}")
echo "one core:  A $ma1 ms, B $mb1 ms; B / A by round: $(median "${r1[@]}")"
echo "two cores: A $ma2 ms, B $mb2 ms; B / A by round: $(median "${r2[@]}")"
echo "two cores / one core: A $(ratio "$ma1" "$ma2" 3)x, B $(ratio "$mb1" "$mb2" 3)x"
echo "CPU time, one core:  A $(median "${ca1[@]}") ms, B $(median "${cb1[@]}") ms;" \
    "B / A by round: $(median "${c1[@]}")"
echo "CPU time, two cores: A $(median "${ca2[@]}") ms, B $(median "${cb2[@]}") ms;" \
    "B / A by round: $(median "${c2[@]}")"
