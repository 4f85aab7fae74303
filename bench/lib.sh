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

# Nanoseconds since the epoch.
now() { date +%s%N; }
