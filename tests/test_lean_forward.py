"""The encoders predict the same vectors without holding every layer's intermediates at once."""

import tracemalloc

import numpy

from transforms.lean_forward import drop_predict_intermediates
from transforms.nlp import load_nlp, load_stock_nlp

TEXTS = [("Turkish and Russian officials met in Moscow on Monday after shelling killed 33 soldiers in Idlib, "
          "the defence ministry said, as talks on a ceasefire in northwest Syria went on into the night. ") * 6] * 8


def _peak_mb(encoder, docs) -> tuple[float, object]:
    tracemalloc.start()
    try:
        output = encoder.predict(docs)
        return tracemalloc.get_traced_memory()[1] / 1e6, output
    finally:
        tracemalloc.stop()


def test_the_coding_pipeline_predicts_the_stock_vectors_with_a_fraction_of_the_memory():
    ours, stock = load_nlp(), load_stock_nlp()
    docs = [ours.make_doc(t) for t in TEXTS]
    for name in ("tok2vec", "ner"):
        lean_model, stock_model = ours.get_pipe(name).model, stock.get_pipe(name).model
        lean_encoder = lean_model if name == "tok2vec" else lean_model.get_ref("tok2vec")
        stock_encoder = stock_model if name == "tok2vec" else stock_model.get_ref("tok2vec")
        lean_peak, got = _peak_mb(lean_encoder, docs)
        stock_peak, want = _peak_mb(stock_encoder, docs)
        got, want = (numpy.concatenate(v) if isinstance(v, list) else numpy.asarray(v) for v in (got, want))
        assert got.shape == want.shape and numpy.allclose(got, want, atol=1e-4), name
        assert lean_peak < 0.5 * stock_peak, (name, lean_peak, stock_peak)


def test_training_still_gets_its_backprop():
    nlp = load_stock_nlp()
    assert drop_predict_intermediates(nlp) > 10
    encoder = nlp.get_pipe("tok2vec").model
    docs = [nlp.make_doc("Troops clashed near the border on Monday.")]
    vectors, backprop = encoder.begin_update(docs)
    assert backprop([numpy.zeros_like(v) for v in vectors]) is not None
