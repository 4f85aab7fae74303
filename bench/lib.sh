# What the benchmark scripts share: sourced by them (`source bench/lib.sh`
# from the repository's root), not run.

# Exits (2) unless a corpus file is at $1; $2 names the argument that gives
# its path ("first", "third").
need_corpus() {
    if [[ ! -f $1 ]]; then
        echo "error: no corpus at $1 (give its path as the $2 argument)" >&2
        exit 2
    fi
}

# Exits (2) unless `taskset` is there and two cores to pin runs to.
need_two_cores() {
    if ! command -v taskset >/dev/null || [[ $(nproc) -lt 2 ]]; then
        echo "error: needs taskset and two cores" >&2
        exit 2
    fi
}

# The median of the numbers given (of an even count, the upper middle one).
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# $1 / $2 with $3 decimals (2 unless given), rounded, not cut off as bc's
# `scale` would (1.789 is 1.8, not 1.7).
ratio() { awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { printf "%." d "f", a / b }'; }

# Nanoseconds since the epoch.
now() { date +%s%N; }
