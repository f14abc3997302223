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
"""
WELSH_WORDS = frozenset(_WELSH_WORDS_TEXT.split())
# Words too often English to count on their own.
SHARED_WORDS = frozenset({"i", "a", "o", "am", "ap", "data", "person", "help", "cod", "dim", "hi"})
WORD = re.compile(r"[a-zâêîôûŵŷäëïöüÿáéíóúẁýàèìòùẁỳ']+")


def looks_welsh(text: str) -> bool:
    words = WORD.findall(text.lower())
    if not words:
        return False
    welsh = sum(1 for word in words if word in WELSH_WORDS and word not in SHARED_WORDS)
    if len(words) <= 2:
        return welsh == len(words)
    return welsh >= 2 and welsh / len(words) >= 0.3
