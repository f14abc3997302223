"""Is a message written in Welsh? A word-list test: short messages defeat statistics."""

from __future__ import annotations

import re

# Common Welsh words (with their mutated forms) that are not also everyday English words.
_WELSH_WORDS_TEXT = """
    yn fy fy'n mae wedi ddim sut beth pam ble pryd gyda gyda'r ac ar mewn gan hefyd ond neu
    rydw ydw ydy ydych dw dwi rwy rwyf dydw dydy nid nad oes roedd bydd fydd
    hoffwn hoffwn i eisiau isio angen helo shwmae bore prynhawn diolch plis os gwelwch dda
    cyfrif nghyfrif gyfrif cyfeiriad nghyfeiriad gyfeiriad cyfrinair nghyfrinair gyfrinair
    newid helpu chi chi'n ni fe fi i'n i'r o'r a'r yw gael cael gennyf allaf alla gallaf
    methu wnes wnaeth gwneud achos oherwydd rhywun rhywbeth hunaniaeth twyll twyllwr sgam
    diogelwch ffôn ffon cwyn gwybodaeth rhyddid personol siarad cymraeg gymraeg ymgynghorydd
    cynghorydd swyddog unrhyw rhaid hwn hon hyn yma yna nawr rŵan heddiw ddoe wythnos
    mewngofnodi fewngofnodi cod codau negeseuon neges ebost bost cyfeiriad enw nghyfrif
    ngwirio gwirio profi brofi pwy ydw dogfen dogfennau pasbort trwydded yrru
    trwy drwy dros am fod bod yw'r dim hi fo o'n i'w eich ein eu nhw
    arna arnaf gen eto llun wyneb gwrthod cloi gloi gallu chwalu gwaith gweithio gwbl ffurflen
    gwasanaeth sgwrs fyw agor ga gaf gwelwch newydd ffonio rhif anghofio ailosod dileu gwiriad
    methais collais wrth gefn codau pherson iawn nhrin ffordd
    efo hefo deud dweud di isio isie moyn rwan neud gneud gwbod gwybod dod aros disgwyl
    munud deg destun testun oedd ei mai meddwl lle mynd rhoi rhoddais rhoddodd dyn dynes
    logio tramor dramor presennol sydd wnaeth fedra medru cyn ydi dydd sadwrn sul gwener awr
    oriau amser faint cymryd fel heb arall siwr gynno gynnon hyd rhywle
    pa sy defnyddio gwasanaethau cofio
"""
# Initials only a mutation makes (nasal, aspirate, soft), and the radical initials they can
# come from: "nghod" is "cod", "ddyn" is "dyn", "wneud" is "gwneud".
_MUTATIONS = (
    ("ngh", "c"), ("mh", "p"), ("nh", "t"), ("ng", "g"), ("ch", "c"), ("ph", "p"), ("th", "t"),
    ("dd", "d"), ("m", "b"), ("n", "d"), ("g", "c"), ("b", "p"), ("d", "t"), ("f", "b"),
    ("f", "m"), ("l", "ll"), ("r", "rh"), ("", "g"),
)  # fmt: skip
# A word cannot start so in English: one with a shared radical ("nghod") is Welsh too.
_WELSH_ONLY_INITIALS = ("ngh", "mh", "nh", "dd")
WELSH_WORDS = frozenset(_WELSH_WORDS_TEXT.split())
# Words too often English to count on their own.
SHARED_WORDS = frozenset({"i", "a", "o", "am", "ap", "data", "person", "help", "cod", "dim", "hi"})
WORD = re.compile(r"[a-zâêîôûŵŷäëïöüÿáéíóúẁýàèìòùẁỳ']+")


def _welsh(word: str) -> bool:
    """A Welsh word, mutated or not, or one with a Welsh clitic ("mae'r", "i'w") on one."""
    if word in SHARED_WORDS:
        return False
    stem = word.split("'", 1)[0]
    return _welsh_unclitic(word) or (stem not in SHARED_WORDS and _welsh_unclitic(stem))


def _welsh_unclitic(word: str) -> bool:
    if word in WELSH_WORDS:
        return True
    for mutated, radical in _MUTATIONS:
        if word.startswith(mutated) and len(word) > len(mutated) + 1:
            unmutated = radical + word[len(mutated) :]
            if unmutated in WELSH_WORDS:
                return True
            if unmutated in SHARED_WORDS and mutated in _WELSH_ONLY_INITIALS:
                return True
    return False


def looks_welsh(text: str) -> bool:
    words = WORD.findall(text.lower())
    if not words:
        return False
    welsh = sum(1 for word in words if _welsh(word))
    if len(words) <= 2:
        return welsh == len(words)
    return welsh >= 2 and welsh / len(words) >= 0.3
