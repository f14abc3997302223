"""The scope classifier: questions about other things that share GovSign's words are declined."""

from __future__ import annotations

import pytest

from chat.chatbot import answer, scope, sentence_model
from chat.chatbot.conversation import NOT_GOVSIGN, _classified_not_govsign
from chat.chatbot.index import current_index
from chat.chatbot.ranker import Ranked, Ranking
from selfhelp.models import TextMeaning


@pytest.mark.usefixtures("guidance")
@pytest.mark.parametrize(
    "text",
    [
        "my bank card has been blocked",
        "my parcel has not arrived",
        "my mobile phone bill is too high",
        "how do i renew my bus pass",
    ],
)
def test_everyday_questions_sharing_the_guidances_words_are_declined(text: str) -> None:
    reply = answer(text)

    assert reply.intent == "out_of_scope", reply
    assert reply.article is None
    assert reply.alternatives == []


@pytest.mark.usefixtures("guidance")
@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("locked out after too many tries", "account-locked"),
        ("are you open bank holidays", "contact-us"),
        ("the code never came to my phone", "security-code-not-arriving"),
        ("what photo id can i use", "photo-id-you-can-use"),
    ],
)
def test_questions_about_govsign_in_the_same_words_are_still_answered(text: str, slug: str) -> None:
    reply = answer(text)

    assert reply.intent != "out_of_scope", reply
    assert slug in [reply.article, *reply.alternatives]


@pytest.mark.usefixtures("guidance")
def test_the_classifier_is_fitted_on_the_guidance_and_keeps_the_others_vectors() -> None:
    english = current_index().languages["en"]
    classifier = english.scope_model
    assert classifier is not None
    assert english.sentence_meaning is not None
    govsign = [classifier.probability(v) for v in english.sentence_meaning.short]
    others = sentence_model.encode(list(scope.not_govsign_questions()))
    assert others is not None
    not_govsign = [classifier.probability(v) for v in others]

    assert sum(p > 0.5 for p in govsign) > 0.95 * len(govsign)
    assert sum(p < 0.5 for p in not_govsign) > 0.95 * len(not_govsign)
    # Kept like the guidance's: a new process reads them back instead of computing them.
    keys = {sentence_model.digest(text) for text in scope.not_govsign_questions()}
    assert TextMeaning.objects.filter(key__in=keys).count() == len(keys)


def test_the_list_of_other_questions_has_no_comments_or_repeats() -> None:
    questions = scope.not_govsign_questions()

    assert 250 <= len(questions) <= 450
    assert len(set(questions)) == len(questions)
    assert not any(q.startswith("#") for q in questions)


def _ranking(about_govsign: float, meaning: float = 0.2, closeness: float = 0.5) -> Ranking:
    return Ranking(
        [Ranked("account-locked", 0.5, 0.4, meaning)],
        coverage=1.0,
        content_words=3,
        key_words=("locked",),
        has_meaning=True,
        closeness=closeness,
        by_sentences=True,
        about_govsign=about_govsign,
    )


def test_a_strong_match_in_meaning_or_naming_govsign_overrules_the_classifier() -> None:
    unlikely = NOT_GOVSIGN / 2
    assert _classified_not_govsign("my card is blocked", _ranking(unlikely))
    assert not _classified_not_govsign("my card is blocked", _ranking(NOT_GOVSIGN + 0.1))
    assert not _classified_not_govsign("my card is blocked", _ranking(unlikely, meaning=0.6))
    assert not _classified_not_govsign("my card is blocked", _ranking(unlikely, closeness=0.9))
    assert not _classified_not_govsign("is my govsign blocked", _ranking(unlikely))
