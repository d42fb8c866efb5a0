"""The pipeline's layers multiply through numpy's BLAS on one thread, with the stock weights."""

import numpy
from threadpoolctl import threadpool_info

from transforms.nlp import load_nlp, load_stock_nlp


def test_every_layer_of_the_pipeline_skips_blis():
    nlp = load_nlp()
    layers = [layer for _, c in nlp.pipeline if getattr(c, "model", None) is not None for layer in c.model.walk()]
    assert len(layers) > 100
    assert all(not getattr(layer.ops, "use_blis", True) for layer in layers)
    # numpy's own BLAS; scipy, loaded later by Great Expectations, brings another that the coder does not use
    pools = [p for p in threadpool_info() if p["user_api"] == "blas" and "numpy" in p["filepath"]]
    assert pools and all(p["num_threads"] == 1 for p in pools), pools


def test_the_stock_pipeline_keeps_blis():
    stock = load_stock_nlp()
    assert all(stock.get_pipe(name).model.ops.use_blis for name in ("tok2vec", "ner"))


def test_encoders_give_the_stock_vectors_up_to_rounding():
    text = "Turkish and Russian officials met in Moscow on Monday after shelling killed 33 soldiers in Idlib."
    for name in ("tok2vec", "ner"):
        ours = load_nlp().get_pipe(name).model
        stock = load_stock_nlp().get_pipe(name).model
        encoder_ours = ours if name == "tok2vec" else ours.get_ref("tok2vec")
        encoder_stock = stock if name == "tok2vec" else stock.get_ref("tok2vec")
        doc = load_nlp().make_doc(text)
        got, want = (_token_rows(encoder.predict([doc])) for encoder in (encoder_ours, encoder_stock))
        assert got.shape == want.shape == (len(doc), want.shape[1])
        assert numpy.allclose(got, want, atol=1e-4)


def _token_rows(output) -> numpy.ndarray:
    """One vector per token: tok2vec gives a list (one array per doc), NER's encoder one array for the batch."""
    return numpy.asarray(output[0] if isinstance(output, list) else output)
