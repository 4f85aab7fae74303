"""spaCy's side of bench/compare.sh: the two patterns of bench/two_patterns.rules
in a Matcher over spacy.blank("en"), end to end (read JSON lines, tokenize,
match). Prints `<text bytes> <matches> <seconds>`; reading the file is not timed."""

import json
import sys
import time

import spacy
from spacy.matcher import Matcher

NAME = {"TEXT": {"REGEX": r"^[A-Z][a-z]+$"}}


def main(path: str) -> None:
    texts = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                texts.append(json.loads(line)["text"])
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    nlp = spacy.blank("en")
    nlp.max_length = 10**9
    matcher = Matcher(nlp.vocab)
    matcher.add(
        "Apposition",
        [[NAME, NAME, {"TEXT": ","}, {"LOWER": "the"}, {"TEXT": {"REGEX": r"^[a-z]+$"}},
          {"LOWER": "of"}, NAME]],
        greedy="LONGEST",
    )
    matcher.add(
        "Said",
        [[NAME, NAME, {"LOWER": {"IN": ["said", "told", "added", "says"]}}]],
        greedy="LONGEST",
    )
    start = time.perf_counter()
    matches = 0
    for doc in nlp.pipe(texts, batch_size=64):
        matches += len(matcher(doc))
    elapsed = time.perf_counter() - start
    print(f"{nbytes} {matches} {elapsed:.6f}")


if __name__ == "__main__":
    main(sys.argv[1])
