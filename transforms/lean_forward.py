"""Prediction without the intermediates that only training needs.

thinc's `chain` keeps every layer's backprop callback until the whole chain returns, and each callback holds its
layer's inputs and outputs; `predict` throws the callbacks away only at the end. For the CNN encoders that is
~16 KB per token alive at once (~50 MB for a batch of 32 reduced articles in the tok2vec, ~18 MB in NER's own
encoder), the largest transient in a coding worker. In predict mode the chains here drop each callback as soon as
the next layer has run: the same arithmetic in the same order, so the same outputs, with a third of the peak.
Training (is_train=True) goes through thinc's own forward, untouched.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from spacy.language import Language

_chain = importlib.import_module("thinc.layers.chain")  # the module: thinc.layers.chain is also a function's name


def _no_backprop(_: Any) -> Any:
    raise RuntimeError("this forward pass ran in predict mode and kept nothing to backpropagate through")


def _chain_forward(model: Any, X: Any, is_train: bool) -> tuple[Any, Callable]:
    if is_train:
        return _chain.forward(model, X, is_train)
    for layer in model.layers:
        X, _ = layer(X, is_train=False)
    return X, _no_backprop


def drop_predict_intermediates(nlp: Language) -> int:
    """Give every chain in nlp's models the lean predict forward; returns how many chains changed."""
    changed = 0
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        for layer in model.walk() if model is not None else ():
            if layer._func is _chain.forward:
                layer._func = _chain_forward
                changed += 1
    return changed
