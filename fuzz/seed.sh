#!/usr/bin/env bash
# Copies seed inputs from the repository into fuzz/corpus/<target>/ (which is
# not committed: libFuzzer grows it as it runs). Run from anywhere:
#   bash fuzz/seed.sh
set -euo pipefail
cd "$(dirname "$0")"
root=..

mkdir -p corpus/parse_check corpus/tokenize corpus/snapshot corpus/engine

# parse_check: every rule file of the repository.
n=0
while IFS= read -r -d '' f; do
    n=$((n + 1))
    cp "$f" "corpus/parse_check/seed_$(printf %03d $n).rules"
done < <(find "$root/rules" "$root/tests/rule_inputs" "$root/templates" "$root/examples" \
    -name '*.rules' -print0 2>/dev/null | sort -z)

# ... and one that reaches the files of the target's sandbox folder (see
# sandbox_cwd in src/checks.rs).
cat > corpus/parse_check/seed_sandbox.rules <<'RULES'
import "a.rules"
lexicon Lf from "sub/l.tsv"
record R(x, y)
rule r priority 1 within paragraph {
    match <x:Lf> "said" <y:Li>?
    emit R at x { x: canon(x), y }
    example "Russia said one" -> R { x: "RU" }
    counterexample "nobody said"
}
RULES

# tokenize: the fixtures cut into slices of at most 2 KiB at line ends, plus
# the lexicons (multi-word entries, odd punctuation).
for f in "$root"/tests/fixtures/*.txt; do
    base=$(basename "$f" .txt)
    split -C 2048 -d -a 2 "$f" "corpus/tokenize/${base}_"
done
for f in "$root"/rules/lexicons/*.tsv; do
    head -c 2048 "$f" > "corpus/tokenize/lexicon_$(basename "$f" .tsv)"
done

# snapshot: the project's snapshot files, whole and cut into slices at
# document boundaries so that small inputs exist too.
for f in "$root"/tests/snapshots/*.snap; do
    base=$(basename "$f" .snap)
    cp "$f" "corpus/snapshot/$base"
    head -c 1500 "$f" > "corpus/snapshot/${base}_head"
done

# engine: structured input from bytes; any bytes decode, so a few fixture
# slices give it a start, and libFuzzer finds the rest.
for f in "$root"/tests/fixtures/00*.txt; do
    head -c 512 "$f" > "corpus/engine/$(basename "$f" .txt)"
done

for t in parse_check tokenize snapshot engine; do
    echo "$t: $(ls corpus/$t | wc -l) seeds"
done
