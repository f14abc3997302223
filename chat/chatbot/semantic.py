"""What a text means, as a vector: a small static embedding model that runs offline.

The model is WordLlama's ``l2_supercat_256`` (the ``wordllama`` package ships its 16 MB
weights and its tokenizer): a vector for each of 32,000 tokens, and a text's meaning is the
average of its tokens' vectors. Texts that say the same thing in other words ("my mobile got
pinched", "my phone was stolen") end up close, which word matching cannot see.

The files are read straight from the installed package rather than through
``WordLlama.load``: that looks for the tokenizer in the wrong folder and then downloads it,
and importing ``wordllama`` itself sets up the root logger. Only ``tokenizers``,
``safetensors`` and numpy are used, and nothing is ever fetched from the network.

If the package is missing or its files cannot be read, ``embed`` returns None and the chatbot
ranks with its other signals; a warning is logged once.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

if TYPE_CHECKING:
    from tokenizers import Tokenizer

logger = logging.getLogger(__name__)

MODEL_PACKAGE = "wordllama"
WEIGHTS_FILE = "weights/l2_supercat_256.safetensors"
TOKENIZER_FILE = "tokenizers/l2_supercat_tokenizer_config.json"
# Long enough for a body section; what comes after rarely changes what a section is about.
MAX_TOKENS = 256


@dataclass(frozen=True)
class Embedder:
    """Token vectors and the tokenizer that splits text into their ids."""

    vectors: np.ndarray  # (tokens, dimensions), float32
    tokenizer: Tokenizer

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length row per text (all zeros for a text with no tokens)."""
        rows: list[int] = []
        columns: list[int] = []
        shares: list[float] = []
        for row, text in enumerate(texts):
            ids = self.tokenizer.encode(text.lower(), add_special_tokens=False).ids[:MAX_TOKENS]
            rows += [row] * len(ids)
            columns += ids
            shares += [1.0 / max(len(ids), 1)] * len(ids)
        # A sparse "which tokens, how much" matrix times the token vectors: the mean of each
        # text's token vectors, without ever holding one vector per token of the guidance.
        mix = sparse.csr_matrix(
            (np.array(shares, dtype=np.float32), (rows, columns)),
            shape=(len(texts), self.vectors.shape[0]),
        )
        meaning = np.asarray(mix @ self.vectors, dtype=np.float32)
        norms = np.linalg.norm(meaning, axis=1, keepdims=True)
        return meaning / np.where(norms > 0, norms, 1.0)


_lock = threading.Lock()
_embedder: Embedder | None = None
_tried = False


def embedder() -> Embedder | None:
    """The model, loaded once per process; None (warned about once) when it is unavailable."""
    global _embedder, _tried
    if _tried:
        return _embedder
    with _lock:
        if not _tried:
            try:
                _embedder = _load()
            except (ImportError, OSError, KeyError, ValueError) as error:
                logger.warning(
                    "The chatbot's semantic model is unavailable (%s); ranking without it.", error
                )
                _embedder = None
            _tried = True
    return _embedder


def _load() -> Embedder:
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        raise ImportError(f"the {MODEL_PACKAGE} package is not installed")
    package = Path(spec.origin).parent
    vectors = load_file(str(package / WEIGHTS_FILE))["embedding.weight"]
    tokenizer = Tokenizer.from_file(str(package / TOKENIZER_FILE))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return Embedder(np.ascontiguousarray(vectors, dtype=np.float32), tokenizer)


def embed(texts: Sequence[str]) -> np.ndarray | None:
    """Unit-length meaning vectors for ``texts``, or None without the model."""
    model = embedder()
    if model is None:
        return None
    return model.embed(texts)


def forget_model() -> None:
    """Load (or fail to load) the model again on next use (tests use this)."""
    global _embedder, _tried
    with _lock:
        _embedder, _tried = None, False
