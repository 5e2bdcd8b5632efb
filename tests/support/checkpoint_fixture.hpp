#pragma once
// A small, valid checkpoint: a 3 x 2 Bernoulli RBM with 5 persistent chains and centering, as `ebm train`
// writes one. The model-file round-trip and hardening tests start from it.
#include "ebm/core/random.hpp"
#include "ebm/io/model_file.hpp"

namespace ebm::test {

inline ModelFile small_checkpoint() {
  ModelFile f;
  f.kind = "bernoulli_rbm";
  f.hyper.set_integer("num_visible", 3);
  f.hyper.set_integer("num_hidden", 2);
  f.params = Vectorf::LinSpaced(3 * 2 + 3 + 2, -1, 1);
  TrainingState t;
  t.epoch = 4;
  t.updates = 40;
  t.optimizer = {"sgd", 40, {{"velocity", Vectorf::Constant(f.params.size(), 0.5f)}}};
  t.chains["v"] = Matrixf::Ones(5, 3);
  t.chains["h"] = Matrixf::Zero(5, 2);
  t.chains["ph"] = Matrixf::Constant(5, 2, 0.25f);
  t.state["centering.hidden"] = Vectorf::Constant(2, 0.125f);
  t.streams["chains"] = make_chain_streams(1, 5);
  t.streams["shuffle"] = {make_stream(1, StreamPurpose::shuffle, 0)};
  f.training = t;
  return f;
}

}  // namespace ebm::test
