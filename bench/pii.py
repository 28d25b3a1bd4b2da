"""Figures for docs/benchmarks.md: finding identifying details and crisis language.

Run: python -m bench.pii  (prints Markdown tables; times vary by machine)

Measures, on the corpora the tests use (tests/corpus/*.json and the crisis
sentences in tests/unit/test_pii.py):
- the detection rate of find_pii on the identifying corpus, per kind (each entry
  counts when a hit of its kind is found in its cleaned text, with its region);
- the false-positive rate of find_pii on the ordinary corpus, per kind and per
  board region (a sentence counts once per kind it is wrongly flagged for);
- phone numbers flagged in the ordinary corpus three ways: assigned numbers only
  (before issue 16), as now (also numbers possible for the region when dialled like
  one), and every number phonenumbers calls possible (what was not done);
- find_crisis on tests/corpus/crisis-en.json and crisis-de.json, per language:
  recall on the crisis sentences (and with the right topic) and the share of
  ordinary sentences flagged, for all of them and for the held-out part alone;
- find_crisis on the crisis sentences and the sad-but-not-crisis sentences;
- the time clean_text, find_pii, find_crisis and lookalikes take on a 20,000-
  character post, with and without identifying details in it.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import phonenumbers

from generator.text.crisis import find_crisis, suggested_warnings
from generator.text.hits import KINDS
from generator.text.phones import DATE
from generator.text.pii import find_pii, lookalikes
from generator.text.scrub import clean_text, fold
from tests.unit.test_pii import CRISIS, NOT_CRISIS

CORPUS = Path(__file__).parent.parent / "tests" / "corpus"
REGIONS = ("GB", "US", "DE", "FR", "IE", "")
POST_CHARS = 20_000
RUNS = 20
COLD_START = """
import time
start = time.perf_counter()
from generator.text.pii import find_pii
imported = time.perf_counter()
find_pii("write to s\\u0430rah@example.com", region="GB")  # a Cyrillic a
done = time.perf_counter()
print(f"{(imported - start) * 1000:.0f} {(done - imported) * 1000:.0f}")
"""
WATCH = ("Zoë Müller", "Siobhán O'Neill", "Priya Patel", "Tom Baker", "Jonas Weber") * 4


def load(name: str) -> list:
    return json.loads((CORPUS / name).read_text(encoding="utf-8"))


def detection(identifying: list[dict]) -> list[tuple[str, str, str]]:
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    missed: list[str] = []
    for entry in identifying:
        text = clean_text(entry["text"]).text
        hits = find_pii(text, region=entry["region"], watch=entry.get("watch", ()))
        total[entry["kind"]] += 1
        if entry["kind"] in {hit.kind for hit in hits}:
            found[entry["kind"]] += 1
        else:
            missed.append(entry["desc"])
    rows = [
        (f"detected: {kind}", f"{found[kind]}/{total[kind]}", f"{found[kind] / total[kind]:.0%}")
        for kind in KINDS
        if total[kind]
    ]
    all_found, all_total = sum(found.values()), sum(total.values())
    rows.append(("detected: all kinds", f"{all_found}/{all_total}", f"{all_found / all_total:.1%}"))
    if missed:
        rows.append(("missed", "; ".join(missed), ""))
    return rows


def false_positives(ordinary: list[str]) -> list[tuple[str, str, str]]:
    by_region: dict[str, set[str]] = defaultdict(set)
    by_kind: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for region in REGIONS:
        for text in ordinary:
            for hit in find_pii(clean_text(text).text, region=region):
                by_region[region].add(text)
                by_kind[hit.kind].add((region, text))
    checks = len(ordinary) * len(REGIONS)
    rows = [
        (
            f"false positives, board region {region or 'none'}",
            f"{len(by_region[region])}/{len(ordinary)}",
            f"{len(by_region[region]) / len(ordinary):.1%}",
        )
        for region in REGIONS
    ]
    for kind in KINDS:
        if by_kind[kind]:
            examples = sorted({text for _, text in by_kind[kind]})
            rows.append(
                (
                    f"false positives of kind {kind} (sentence x region)",
                    f"{len(by_kind[kind])}/{checks}",
                    "; ".join(examples),
                )
            )
    total = sum(len(texts) for texts in by_region.values())
    rows.append(("false positives, all regions", f"{total}/{checks}", f"{total / checks:.1%}"))
    return rows


def phone_false_positives(ordinary: list[str]) -> list[tuple[str, str, str]]:
    counts = {"assigned only": 0, "now": 0, "every possible number": 0}
    for region in REGIONS:
        for text in ordinary:
            cleaned = clean_text(text).text
            folded = fold(cleaned)[0]
            leniency = phonenumbers.Leniency
            valid = [
                match
                for match in phonenumbers.PhoneNumberMatcher(folded, region or "ZZ", leniency.VALID)
                if not DATE.fullmatch(match.raw_string)
            ]
            possible = list(
                phonenumbers.PhoneNumberMatcher(folded, region or "ZZ", leniency.POSSIBLE)
            )
            counts["assigned only"] += bool(valid)
            counts["every possible number"] += bool(possible)
            counts["now"] += any(hit.kind == "phone" for hit in find_pii(cleaned, region=region))
    checks = len(ordinary) * len(REGIONS)
    return [
        (f"ordinary sentence x region with a phone hit: {name}", f"{count}/{checks}",
         f"{count / checks:.1%}")
        for name, count in counts.items()
    ]  # fmt: skip


def crisis_corpus(language: str) -> list[tuple[str, str, str]]:
    entries = load(f"crisis-{language}.json")
    rows = []
    for part, chosen in (("all", entries), ("held-out", [e for e in entries if e.get("split")])):
        crisis = [entry for entry in chosen if entry["topic"]]
        ordinary = [entry for entry in chosen if not entry["topic"]]
        topics = {
            entry["text"]: suggested_warnings(
                find_crisis(clean_text(entry["text"]).text, language=language)
            )
            for entry in chosen
        }
        found = [entry for entry in crisis if topics[entry["text"]]]
        right = [entry for entry in crisis if entry["topic"] in topics[entry["text"]]]
        alarms = [entry["text"] for entry in ordinary if topics[entry["text"]]]
        missed = [entry["text"] for entry in crisis if not topics[entry["text"]]]
        name = f"crisis-{language}.json ({part})"
        rows += [
            (f"{name}: crisis sentences flagged", f"{len(found)}/{len(crisis)}",
             f"{len(found) / len(crisis):.1%}; missed: {'; '.join(missed) or 'none'}"),
            (f"{name}: flagged with the expected topic", f"{len(right)}/{len(crisis)}",
             f"{len(right) / len(crisis):.1%}"),
            (f"{name}: ordinary sentences flagged", f"{len(alarms)}/{len(ordinary)}",
             f"{len(alarms) / len(ordinary):.1%} {'; '.join(alarms)}"),
        ]  # fmt: skip
    return rows


def crisis() -> list[tuple[str, str, str]]:
    found = sum(
        topic in suggested_warnings(find_crisis(clean_text(text).text, language=language))
        for language, topic, text in CRISIS
    )
    flagged = [text for text in NOT_CRISIS if find_crisis(text, language="de")]
    return [
        ("crisis sentences flagged with their topic", f"{found}/{len(CRISIS)}", ""),
        ("sad-but-not-crisis sentences flagged", f"{len(flagged)}/{len(NOT_CRISIS)}", ""),
    ]


def post(sentences: list[str], details: list[str]) -> str:
    """About POST_CHARS characters of SENTENCES, with one of DETAILS every 500 or so."""
    parts: list[str] = []
    length = since_detail = 0
    i = j = 0
    while length < POST_CHARS:
        piece = sentences[i % len(sentences)]
        i += 1
        if details and since_detail >= 500:
            piece, since_detail = details[j % len(details)], 0
            j += 1
        parts.append(piece)
        length += len(piece) + 1
        since_detail += len(piece) + 1
    return clean_text(" ".join(parts)[:POST_CHARS]).text


def timed(function: Callable[[], object]) -> tuple[float, float]:
    """Median and maximum milliseconds over RUNS calls."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def speed(ordinary: list[str], identifying: list[dict]) -> list[tuple[str, str, str]]:
    gb_details = [entry["text"] for entry in identifying if entry["region"] in {"GB", ""}]
    plain, detailed = post(ordinary, []), post(ordinary, gb_details)
    sentences = [entry["text"] for lang in ("en", "de") for entry in load(f"crisis-{lang}.json")]
    sad = post(sentences, [])
    rows = []
    # A fresh process pays once for importing phonenumbers and python-stdnum and for
    # loading the confusables table (about 2 MB of JSON) on the first fold.
    cold = subprocess.run(
        [sys.executable, "-c", COLD_START], capture_output=True, text=True, check=True
    ).stdout.split()
    rows.append(
        ("import generator.text.pii in a fresh process", f"{cold[0]} ms", "once per process")
    )
    rows.append(
        (
            "first find_pii call in that process (loads the confusables table)",
            f"{cold[1]} ms",
            "once per process; a one-line post with a Cyrillic letter",
        )
    )
    hits = len(find_pii(detailed, region="GB", watch=WATCH))
    cases = [
        ("clean_text, 20,000 characters", lambda: clean_text(plain)),
        ("find_pii, 20,000 characters of ordinary talk (GB, 20 watch names)",
         lambda: find_pii(plain, region="GB", watch=WATCH)),
        (f"find_pii, 20,000 characters with {hits} details in them (GB, 20 watch names)",
         lambda: find_pii(detailed, region="GB", watch=WATCH)),
        ("find_pii, the same, board region none, no watch list",
         lambda: find_pii(detailed)),
        ("find_crisis, 20,000 characters (en + de terms)",
         lambda: find_crisis(detailed, language="de")),
        ("find_crisis, 20,000 characters of crisis and sad sentences (en + de terms)",
         lambda: find_crisis(sad, language="de")),
        (f"find_crisis on each of the {len(ordinary)} ordinary sentences (en + de terms)",
         lambda: [find_crisis(text, language="de") for text in ordinary]),
        ("lookalikes, 20,000 characters", lambda: lookalikes(detailed)),
    ]  # fmt: skip
    for name, function in cases:
        median, worst = timed(function)
        rows.append((name, f"{median:.0f} ms", f"median of {RUNS}; slowest {worst:.0f} ms"))
    return rows


def main() -> None:
    identifying, ordinary = load("identifying.json"), load("ordinary.json")
    print(f"Identifying corpus: {len(identifying)} entries; ordinary corpus: {len(ordinary)}")
    print(f"sentences, each checked as if on a board in {', '.join(r or 'none' for r in REGIONS)}.")
    print()
    print("| figure | value | note |")
    print("| --- | --- | --- |")
    rows = [
        *detection(identifying),
        *false_positives(ordinary),
        *phone_false_positives(ordinary),
        *crisis_corpus("en"),
        *crisis_corpus("de"),
        *crisis(),
        *speed(ordinary, identifying),
    ]
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
