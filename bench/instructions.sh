#!/usr/bin/env bash
# A regression guard for speed that does not depend on how busy the machine
# is: counts the instructions (valgrind's cachegrind) of a few fixed runs over
# the repository's own articles and checks each against its bound in
# bench/instructions.bounds. The counts repeat to within 0.1 % from run to run;
# the bounds sit about 15 % above the counts measured when they were set, so
# only a real regression (or a much different compiler) trips them.
#
#   bash bench/instructions.sh          # measure, print a table, fail above a bound
#   bash bench/instructions.sh --print  # measure, print lines for the bounds file
#
# .ci/run calls it when valgrind is installed. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=check
case ${1:-} in
    --print) mode=print ;;
    "") ;;
    *)
        echo "usage: bash bench/instructions.sh [--print]" >&2
        exit 2
        ;;
esac
if ! command -v valgrind >/dev/null; then
    echo "error: valgrind is not installed (apt-get install valgrind)" >&2
    exit 2
fi

cargo build --release --quiet
gleaner=target/release/gleaner
bounds=bench/instructions.bounds

# name, then the arguments of `gleaner`: one article (mostly start-up: loading
# and compiling the bundled library), the 44 fixture articles, and the same
# articles with only the two benchmark patterns.
cases=(
    "one_article|run -j 1 --format jsonl tests/fixtures/000_tehran_moscow_security_agreement.txt"
    "fixtures|run -j 1 --format jsonl tests/fixtures/"
    "fixtures_two_patterns|run -j 1 --format jsonl --rules bench/two_patterns.rules tests/fixtures/"
)

count() {
    # shellcheck disable=SC2086 # the arguments are split on purpose
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
        "$gleaner" $1 2>&1 >/dev/null | awk '/I *refs:/ { gsub(",", "", $NF); print $NF }'
}

failed=0
if [[ $mode == check ]]; then
    printf '| %-24s | %15s | %15s | %8s |\n' case instructions bound "of bound"
    printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..26})" "$(printf -- '-%.0s' {1..17})" \
        "$(printf -- '-%.0s' {1..17})" "$(printf -- '-%.0s' {1..10})"
fi
for c in "${cases[@]}"; do
    name=${c%%|*}
    args=${c#*|}
    n=$(count "$args")
    if [[ -z $n ]]; then
        echo "error: no instruction count for $name (gleaner $args)" >&2
        exit 1
    fi
    if [[ $mode == print ]]; then
        # The bound: the count plus 15 %, rounded up to a million.
        echo "$name $(((n * 115 / 100 + 999999) / 1000000 * 1000000))"
        continue
    fi
    bound=$(awk -v n="$name" '$1 == n { print $2 }' "$bounds")
    if [[ -z $bound ]]; then
        echo "error: no bound for $name in $bounds (bash bench/instructions.sh --print)" >&2
        exit 1
    fi
    pct=$((100 * n / bound))
    flag=
    if ((n > bound)); then
        flag=" ← over"
        failed=1
    fi
    printf '| %-24s | %15s | %15s | %7s%% |%s\n' "$name" "$n" "$bound" "$pct" "$flag"
done
if ((failed)); then
    echo "error: instruction counts above their bounds: a speed regression, or set new bounds (--print) and say why in the commit" >&2
    exit 1
fi
