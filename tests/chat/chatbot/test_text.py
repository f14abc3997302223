"""How the chatbot reads words: stems shared by a verb and its noun; Welsh as citizens type it."""

from __future__ import annotations

import pytest

from chat.chatbot.text import stem, welsh_terms, welsh_to_english


@pytest.mark.parametrize(
    ("noun", "verb"),
    [("verification", "verify"), ("identification", "identified"), ("notification", "notify")],
)
def test_a_noun_in_ification_matches_its_verb(noun: str, verb: str) -> None:
    assert stem(noun) == stem(verb)


# --- Welsh -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "radical"),
    [
        ("fy nghod", "cod"),  # nasal
        ("ei chod", "cod"),  # aspirate
        ("i'r cyfrif", "cyfrif"),
        ("dy gyfrif", "cyfrif"),  # soft
        ("ddydd Sadwrn", "dydd Sadwrn"),
    ],
)
def test_a_mutated_welsh_word_is_glossed_as_its_radical_form(typed: str, radical: str) -> None:
    assert welsh_to_english(typed)
    assert welsh_to_english(typed) == welsh_to_english(radical)


def test_a_soft_mutation_that_drops_g_is_undone_for_the_gloss() -> None:
    assert welsh_to_english("wybod") == welsh_to_english("gwybod") == "know"


def test_a_nasal_mutation_of_d_is_undone_for_the_gloss() -> None:
    assert welsh_to_english("fy nata") == welsh_to_english("data") == "data"


def test_accents_are_optional_in_welsh() -> None:
    assert welsh_to_english("ffon") == welsh_to_english("ffôn") == "phone"
    assert welsh_terms("caniatad") == welsh_terms("caniatâd")


@pytest.mark.parametrize(
    ("informal", "standard"),
    [
        ("efo'r cod", "gyda'r cod"),
        ("oedd o'n deud", "oedd o'n dweud"),
        ("dw i di anghofio", "dw i wedi anghofio"),
        ("isio newid", "eisiau newid"),
        ("be dw i'n neud rwan", "beth dw i'n gwneud nawr"),
        ("logio", "mewngofnodi"),
    ],
)
def test_informal_and_dialect_welsh_reads_as_the_standard_form(
    informal: str, standard: str
) -> None:
    assert welsh_terms(informal) == welsh_terms(standard)
    assert welsh_to_english(informal) == welsh_to_english(standard)


@pytest.mark.parametrize(
    ("inflected", "meaning"),
    [("anghofiais", "forgot"), ("newidiais", "change"), ("ffoniodd", "rang called")],
)
def test_an_inflected_welsh_verb_is_glossed_as_its_verb(inflected: str, meaning: str) -> None:
    assert welsh_to_english(inflected) == meaning


@pytest.mark.parametrize(
    ("welsh", "english"),
    [
        ("ydych chi ar agor ar ddydd Sul", "sunday"),
        ("faint o'r gloch dach chi'n cau heno", "time opening hours closed tonight"),
        ("dw i di aros deg munud", "waiting minutes"),
        ("dw i dramor", "abroad"),
        ("dim neges destun", "not text message"),
        ("sgam gan ddieithryn", "scam stranger"),
        ("dw i heb gael y cod", "not receive code"),
        ("dw i'n newydd i hyn", "first time"),
        ("dw i ddim yn cofio fy nghyfrinair", "not remember password"),
        ("mae'r ap yn chwalu", "app crashing"),
        ("pa ddogfennau llun", "documents photo"),
    ],
)
def test_everyday_welsh_for_the_service_is_glossed(welsh: str, english: str) -> None:
    assert english in welsh_to_english(welsh)


def test_english_words_in_a_welsh_message_are_kept_as_english() -> None:
    vocabulary = {stem(w) for w in ("password", "code", "app")}
    assert welsh_to_english("isio newid fy password", vocabulary) == "change password"
    assert welsh_to_english("dydy'r codes ddim yn dod", vocabulary) == "codes not arrive"
    # A Welsh word is glossed, not kept, even where English has the same letters.
    assert welsh_to_english("mae", {stem("mae")}) == ""
