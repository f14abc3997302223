"""The chatbot answers in Welsh when the citizen writes Welsh or chose Welsh."""

from __future__ import annotations

import pytest

from chat.chatbot import answer
from chat.chatbot.index import current_index
from chat.chatbot.ranker import english_query, rank, score_articles, welsh_query
from chat.chatbot.text import welsh_to_english

pytestmark = pytest.mark.usefixtures("guidance")


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("Rydw i wedi anghofio fy nghyfrinair", "reset-password"),
        ("dydy'r cod diogelwch ddim yn cyrraedd", "security-code-not-arriving"),
        ("sut ydw i'n mewngofnodi i'm cyfrif", "sign-in"),
    ],
)
def test_a_welsh_question_gets_the_welsh_guidance(question: str, slug: str) -> None:
    reply = answer(question)
    assert reply.article == slug
    assert reply.language == "cy"


def test_mutated_welsh_words_still_match() -> None:
    # "nghyfrinair" (nasal mutation) and "cyfrinair" are the same word.
    assert answer("ailosod cyfrinair").article == "reset-password"
    assert answer("ailosod fy nghyfrinair").article == "reset-password"


def test_the_welsh_summary_is_quoted() -> None:
    reply = answer("Rydw i wedi anghofio fy nghyfrinair")
    assert "Beth i'w wneud os ydych chi wedi anghofio eich cyfrinair" in reply.text
    assert "Ailosod eich cyfrinair" in reply.text


def test_guidance_only_in_english_is_offered_with_a_notice_to_welsh_speakers() -> None:
    reply = answer("sut ydw i'n newid fy nghyfeiriad e-bost", language="cy")
    assert reply.article == "change-email-address"
    assert reply.language == "cy"
    assert "How to update the email address" in reply.text
    assert "(" in reply.text  # the not-yet-in-Welsh notice


def test_choosing_welsh_gets_welsh_replies_to_english_questions() -> None:
    reply = answer("forgot my password", language="cy")
    assert reply.language == "cy"
    assert reply.article == "reset-password"
    assert "Ailosod eich cyfrinair" in reply.text


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("dw i isio newid fy password", "reset-password"),
        ("mae'r codes ddim yn dod drwy text", "security-code-not-arriving"),
    ],
)
def test_english_words_in_a_welsh_question_are_understood(question: str, slug: str) -> None:
    reply = answer(question)
    assert reply.language == "cy"
    assert reply.article == slug


def test_a_mutated_word_in_an_informal_welsh_question_still_matches() -> None:
    # "fy nghod" is "cod"; "heb gael" is "not had".
    assert answer("dw i heb gael fy nghod diogelwch").article == "security-code-not-arriving"


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("sut dw i'n logio mewn", "sign-in"),
        ("dach chi ar agor dydd Sul?", "contact-us"),
        ("tan faint o'r gloch ydych chi ar agor heddiw", "contact-us"),
        ("dw i di anghofio fy nghyfrinair", "reset-password"),
    ],
)
def test_dialect_and_informal_welsh_gets_the_guidance(question: str, slug: str) -> None:
    assert answer(question).article == slug


def test_an_informal_welsh_question_about_a_late_code_is_answered_not_treated_as_fraud() -> None:
    reply = answer("dim tecst efo'r cod wedi dod eto, dw i di aros ugain munud")
    assert reply.language == "cy"
    assert reply.intent != "urgent"
    assert reply.article == "security-code-not-arriving"


def test_giving_a_code_to_a_stranger_in_informal_welsh_finds_the_fraud_guidance() -> None:
    reply = answer("rhoddais fy nghod i ddyn ar y ffon")
    assert reply.language == "cy"
    assert reply.article == "report-fraud"


def test_a_welsh_article_is_ranked_with_the_meaning_its_english_version_has_for_the_gloss() -> None:
    # The Welsh guidance has no meaning vectors of its own: on its words alone, an article in
    # Welsh would score below English-only ones scored on their words and the gloss's meaning.
    # With its English version's meaning, the Welsh words matching it count for more than the
    # looser gloss does.
    question = "rhoddais fy nghod diogelwch i ddieithryn a ffoniodd fi"
    index = current_index()
    welsh, english = index.languages["cy"], index.languages["en"]
    on_welsh_words = score_articles(welsh, welsh_query(welsh, question))[0]
    gloss = welsh_to_english(question, english.vocabulary)
    on_gloss = score_articles(english, english_query(english, gloss))[0]
    top = rank(index, question, "cy").results[0]
    assert top.slug == "report-fraud"
    assert top.score > on_welsh_words[welsh.slugs.index("report-fraud")]
    assert top.score > 0.9 * on_gloss[english.slugs.index("report-fraud")]
