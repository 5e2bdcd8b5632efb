#include "cli/mlp_file.hpp"

#include <vector>

#include "ebm/io/model_codecs.hpp"

namespace ebm::cli {

MlpModel mlp_of(const ModelFile& f) { return model_of<MlpModel>(f); }

VectorX<float> base_logits_for(const MlpModel& m, const nlohmann::json& meta, const Matrixf& data) {
  if (m.has_base()) return m.base_logits();
  return base_logits_for(m.dim(), meta, data);
}

VectorX<float> base_logits_for(Index d, const nlohmann::json& meta, const Matrixf& data) {
  if (meta.contains("data_marginals")) {
    const std::vector<float> p = meta["data_marginals"].get<std::vector<float>>();
    ensure(Index(p.size()) == d, "data_marginals has ", p.size(), " entries for a model of dimension ", d);
    return base_logits_from_data<float>(Eigen::Map<const Matrixf>(p.data(), 1, Index(p.size())));
  }
  return base_logits_from_data<float>(data);
}

Matrixf base_draws(const VectorX<float>& logits, Index n, std::uint64_t seed) {
  Matrixf x(n, logits.size());
  Rng rng = make_stream(seed, StreamPurpose::init, 1);
  auto init = base_distribution_initializer<float>(logits);
  for (Index r = 0; r < n; ++r) init(rng, std::span<float>(x.row(r).data(), std::size_t(x.cols())));
  return x;
}

}  // namespace ebm::cli
