"""Matrix products through numpy's OpenBLAS instead of thinc's bundled BLIS, one BLAS thread per process.

The pipeline's time is mostly two CNN encoders (the shared tok2vec and NER's own), i.e. matrix products. thinc's
NumpyOps sends them to BLIS, which on the reference machine (AMD EPYC, AVX2) runs at 17-30 GFLOPS; numpy's OpenBLAS
picks its kernel at run time and does ~90 on one thread, so tok2vec takes ~40% and NER ~70% of their BLIS time.
The weights are the same; only the summation order differs, so a knife-edge score could in principle flip a tag:
on 23,000 tokens of bundled and dev text none did, and tests/test_fast_ruler.py compares every token's annotations
with the stock pipeline. The transition loops of the parser and NER call
BLIS from Cython and are not changed.
"""

from __future__ import annotations

from spacy.language import Language
from thinc.api import NumpyOps
from threadpoolctl import threadpool_limits

BLAS_THREADS = 1  # coding scales by worker processes (one per core); more BLAS threads would fight them


def use_numpy_matmul(nlp: Language) -> None:
    """Point every layer of nlp's models at numpy's matrix product."""
    threadpool_limits(BLAS_THREADS, user_api="blas")
    ops = NumpyOps(use_blis=False)
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        for layer in model.walk() if model is not None else ():
            layer.ops = ops
