// Writes a small binary data set for the command-line tests: exact samples of a known 64 x 8 RBM, as .npy.
#include <cstdio>
#include <cstdlib>

#include "ebm/ebm.hpp"
#include "ebm/io/npy.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: make_data OUT.npy ROWS\n");
    return 2;
  }
  // 64 visible units so that `ebm filters` / `--png` can draw 8 x 8 tiles; sampled by long Gibbs runs.
  ebm::BernoulliRBMd truth(64, 8);
  ebm::Rng rng = ebm::make_stream(5, ebm::StreamPurpose::user, 0);
  truth.init_normal(rng, 1.0);
  const ebm::Index n = std::atol(argv[2]);
  ebm::BlockGibbs<ebm::BernoulliRBMd> gibbs;
  ebm::GibbsChains<double> s;
  auto streams = ebm::make_chain_streams(9, n);
  gibbs.init(truth, s, ebm::Matrixd::Zero(n, 64), streams);
  for (int t = 0; t < 200; ++t) gibbs.step(truth, s, streams);
  ebm::write_npy(argv[1], s.v, ebm::NpyType::f32);
}
