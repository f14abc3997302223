"""The index's fast paths give what the general (slower) library calls give."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from chat.chatbot.index import CharNgrams, _char_vectorizer
from chat.chatbot.ranker import column_scores


def test_reading_a_questions_few_columns_gives_the_full_sparse_product() -> None:
    rng = np.random.default_rng(7)
    matrix = sparse.random(300, 2000, density=0.01, format="csc", random_state=rng)
    columns = np.array([5, 1999, 0, 731, 42], dtype=np.int64)
    values = rng.random(columns.size)

    expected = matrix[:, columns] @ values

    assert np.allclose(column_scores(matrix, columns, values), expected)
    assert not column_scores(matrix, np.zeros(0, dtype=np.int64), np.zeros(0)).any()


def test_a_questions_character_ngrams_are_weighted_as_the_vectorizer_weighs_them() -> None:
    vectorizer = _char_vectorizer()
    vectorizer.fit(["reset your password", "security code not arriving", "change email address"])
    question = "pasword reset code, code!"

    columns, weights = CharNgrams.of(vectorizer).weights(question)

    expected = vectorizer.transform([question]).toarray().ravel()
    found = np.zeros_like(expected)
    found[columns] = weights
    assert np.allclose(found, expected, atol=1e-6)
    assert CharNgrams.of(vectorizer).weights("zzz")[0].size == 0
