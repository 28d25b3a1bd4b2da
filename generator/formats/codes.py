"""Member access codes: generated, canonicalised, never stored.

A code is six words drawn uniformly from the EFF long wordlist, with the
words that could hurt someone reading them in distress replaced by calm
ones (generator/data/WORDLIST-NOTICE.md). It is typed on
phones, read aloud and pasted from messages, so what counts is only the
letters: case, spaces, hyphens, punctuation and the capital an autocorrect
adds are all ignored (see `canonical_code`). The browser does exactly the
same (theme/static/js/formats/codes.js).
"""

from __future__ import annotations

import math
import secrets
import unicodedata
from functools import cache
from importlib import resources

WORDS_PER_CODE = 6
MIN_CODE_BITS = 77

# Words no one in a support group should be handed as their key: dying and
# death, self-harm and violence, illness and hospitals, body image and food,
# addiction, loneliness and despair, insults. They (and many more) are replaced
# in eff_large_wordlist.txt itself; this first set is kept as a guard, so that
# a list put back from upstream never hands them out.
DISTRESSING = frozenset(
    """
    absinthe afraid agonize agonizing agony alone ambush anguished arson ashamed ashen ashes
    autism autistic backstab battle blade blame bleak bloated bloating bony boozy broken
    bruising bully caloric calorie carnage casket cheating chemo chokehold choking chubby
    collapse coma cramp crazy cried cruelly cruelness cruelty crying curse cut decay deranged
    despair destruct disabled disaster disfigure disgrace dismay distress divorcee dose dreaded
    dreadful drown dropout empty entomb evict evil exile explode failing famine famished fasting
    fever frail frighten frightful gallows gloomily gloomy graveness graves graveyard grief
    grievance grieving grievous grope grudge handgun hangover harmful hate hatred haunt
    hazard helpless humiliate hunger hurt hypocrisy hypocrite ignore imprison isolated
    isolating isolation jackknife jailbird jailbreak jailer jailhouse kick lunacy lying mocker
    morphine mourner mournful mutilated mutilator neglector nervous neurotic nicotine numbing
    numbly numbness obituary opium outcast overkill panic paramedic penknife penniless perish
    phobia poison pregnancy pregnant prison punch punisher purgatory purge purging rash reburial
    relapsing repulsion repulsive resent revenge rotten rotting ruined sacrifice sadden sadly
    sadness scale scared scarring scary scorn scrawny sedate sedation sedative serotonin shame
    shivering shock shriek shun sinister sinner skeletal skeleton skinny slapping slashed
    slashing slit smother starved starving strangle sufferer suffering suffocate surgery
    taunt thinness threaten throttle tragedy trembling unhappily unhappy unloved unstable
    unwanted venomous violate violation violator widow worried worry wound wreckage wrist
    zombie
    """.split()
)


@cache
def wordlist() -> tuple[str, ...]:
    """The words codes are made of, in the EFF list's order."""
    text = resources.files("generator").joinpath("data/eff_large_wordlist.txt").read_text("utf-8")
    return tuple(
        word
        for word in text.split()
        if word.isascii() and word.isalpha() and word not in DISTRESSING
    )


def code_bits() -> float:
    """Entropy of a generated code in bits."""
    return WORDS_PER_CODE * math.log2(len(wordlist()))


def generate_code() -> str:
    """A fresh access code such as "maple-orbit-candle-velvet-sprout-harbor"."""
    words = wordlist()
    return "-".join(secrets.choice(words) for _ in range(WORDS_PER_CODE))


def canonical_code(typed: str) -> str:
    """The letters of TYPED that count: NFKC, lower case, a-z only.

    "Maple Orbit-candle velvet  SPROUT harbor" and "maple-orbit-candle-velvet-
    sprout-harbor" are the same code. Anything that is not a letter a-z after
    NFKC folding (full-width letters fold to ASCII) is dropped.
    """
    folded = unicodedata.normalize("NFKC", typed).lower()
    return "".join(ch for ch in folded if "a" <= ch <= "z")
