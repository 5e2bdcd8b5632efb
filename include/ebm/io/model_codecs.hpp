#pragma once
// ModelCodec specialisations of ebm's own models (io/model_kind.hpp says what a codec is). The hyper-parameter
// fields each kind writes into the file's metadata, and the θ layout (the model's own params()):
//
//   bernoulli_rbm           num_visible, num_hidden                     θ = [W (nv × nh row-major), b, c]
//   gaussian_bernoulli_rbm  num_visible, num_hidden, sigma (nv numbers) θ = [W, b, c] as above
//   mlp_energy              layers [d, h_1, …, 1], activation ("softplus" | "swish"), base_term (the
//                           energy-magnitude penalty is a training option, train/energy_penalty.hpp, not part of the model)
//                           (true | false), base_logits (d numbers, only with the base term)
//                                                                       θ = [W_1, …, W_L, b_1, …, b_L], W_l out × in
//   grid_crf                height, width, labels, patch_radius, pool, pooled_radius, unary ("linear" | "mlp"),
//                           unary_hidden (mlp only), pairwise ("potts" | "full")
//                                                                       θ = [unary θ, pairwise θ]
// The run-time halves (θ's length from these fields, chain checks) are in src/model_kinds.cpp, which checks
// every field before make() here is called; make() then only builds.
#include <limits>
#include <string_view>
#include <vector>

#include "ebm/crf/grid_crf.hpp"
#include "ebm/crf/unary.hpp"
#include "ebm/io/model_kind.hpp"
#include "ebm/models/base_term_energy.hpp"
#include "ebm/models/bernoulli_rbm.hpp"
#include "ebm/models/gaussian_bernoulli_rbm.hpp"
#include "ebm/models/mlp_energy.hpp"
#include "ebm/models/rbm_free_energy.hpp"

namespace ebm {

namespace detail {
inline constexpr std::int64_t max_size = std::numeric_limits<std::int64_t>::max();

template <class V>
std::vector<double> doubles_of(const V& v) {
  std::vector<double> out(std::size_t(v.size()));
  for (Index i = 0; i < v.size(); ++i) out[std::size_t(i)] = double(v[i]);
  return out;
}
template <class S>
VectorX<S> vector_of(const std::vector<double>& v) {
  VectorX<S> out(Index(v.size()));
  for (std::size_t i = 0; i < v.size(); ++i) out[Index(i)] = S(v[i]);
  return out;
}
inline const char* activation_name(Activation a) { return a == Activation::softplus ? "softplus" : "swish"; }
}  // namespace detail

template <class S>
struct ModelCodec<BernoulliRBM<S>> {
  static constexpr std::string_view kind = "bernoulli_rbm";
  static HyperParams hyper(const BernoulliRBM<S>& m) {
    HyperParams h;
    h.set_integer("num_visible", m.num_visible());
    h.set_integer("num_hidden", m.num_hidden());
    return h;
  }
  static BernoulliRBM<S> make(const HyperParams& h) {
    return BernoulliRBM<S>(h.integer("num_visible", 1, detail::max_size), h.integer("num_hidden", 1, detail::max_size));
  }
};

// An RBM trained through its free energy (by a binary kernel: `ebm train --model rbm --kernel gwg`) is saved as
// the RBM it is: kind bernoulli_rbm, so eval, filters and sample read it like any other.
template <class S>
struct ModelCodec<RbmFreeEnergy<S>> {
  static constexpr std::string_view kind = "bernoulli_rbm";
  static HyperParams hyper(const RbmFreeEnergy<S>& m) { return ModelCodec<BernoulliRBM<S>>::hyper(m.rbm()); }
  static RbmFreeEnergy<S> make(const HyperParams& h) { return RbmFreeEnergy<S>(ModelCodec<BernoulliRBM<S>>::make(h)); }
};

template <class S>
struct ModelCodec<GaussianBernoulliRBM<S>> {
  static constexpr std::string_view kind = "gaussian_bernoulli_rbm";
  static HyperParams hyper(const GaussianBernoulliRBM<S>& m) {
    HyperParams h;
    h.set_integer("num_visible", m.num_visible());
    h.set_integer("num_hidden", m.num_hidden());
    h.set_numbers("sigma", detail::doubles_of(m.sigma()));
    return h;
  }
  static GaussianBernoulliRBM<S> make(const HyperParams& h) {
    const Index nv = h.integer("num_visible", 1, detail::max_size);
    return GaussianBernoulliRBM<S>(nv, h.integer("num_hidden", 1, detail::max_size),
                                   detail::vector_of<S>(h.numbers("sigma", std::size_t(nv))));
  }
};

template <class S>
struct ModelCodec<MlpEnergy<S>> {
  static constexpr std::string_view kind = "mlp_energy";
  static HyperParams hyper(const MlpEnergy<S>& m) { return hyper(m, nullptr); }
  static MlpEnergy<S> make(const HyperParams& h) {
    ensure(!h.boolean("base_term"), h.where(),
           ": holds an MLP energy with a base term; load it as BaseTermEnergy<MlpEnergy>");
    return net(h);
  }

  // Shared with the base-term codec below.
  static HyperParams hyper(const MlpEnergy<S>& m, const VectorX<S>* base_logits) {
    HyperParams h;
    std::vector<std::int64_t> layers(m.sizes().begin(), m.sizes().end());
    h.set_integers("layers", layers);
    h.set_string("activation", detail::activation_name(m.activation()));
    h.set_boolean("base_term", base_logits != nullptr);
    if (base_logits) h.set_numbers("base_logits", detail::doubles_of(*base_logits));
    return h;
  }
  static MlpEnergy<S> net(const HyperParams& h) {
    const std::vector<std::int64_t> layers = h.integers("layers", 1, detail::max_size, 3, std::size_t(1) << 20);
    const std::vector<Index> hidden(layers.begin() + 1, layers.end() - 1);
    const Activation act =
        h.one_of("activation", {"softplus", "swish"}) == "softplus" ? Activation::softplus : Activation::swish;
    return MlpEnergy<S>(layers.front(), hidden, act);
  }
};

// The base term is written only when present (has_base()); a file without one loads with a = 0.
template <class S>
struct ModelCodec<BaseTermEnergy<MlpEnergy<S>>> {
  using M = BaseTermEnergy<MlpEnergy<S>>;
  static constexpr std::string_view kind = "mlp_energy";
  static HyperParams hyper(const M& m) {
    return ModelCodec<MlpEnergy<S>>::hyper(m.net(), m.has_base() ? &m.base_logits() : nullptr);
  }
  static M make(const HyperParams& h) {
    MlpEnergy<S> net = ModelCodec<MlpEnergy<S>>::net(h);
    if (!h.boolean("base_term")) return M::without_base(std::move(net));
    const Index d = net.dim();
    return M(std::move(net), detail::vector_of<S>(h.numbers("base_logits", std::size_t(d))));
  }
};

namespace detail {
template <class Unary>
struct UnaryCodec;
template <class S>
struct UnaryCodec<LinearUnary<S>> {
  static constexpr std::string_view name = "linear";
  static void write(const LinearUnary<S>&, HyperParams&) {}
  static LinearUnary<S> make(const HyperParams&, Index features, int labels) { return {features, labels}; }
};
template <class S>
struct UnaryCodec<MlpUnary<S>> {
  static constexpr std::string_view name = "mlp";
  static void write(const MlpUnary<S>& u, HyperParams& h) { h.set_integer("unary_hidden", u.hidden()); }
  static MlpUnary<S> make(const HyperParams& h, Index features, int labels) {
    return {features, h.integer("unary_hidden", 1, detail::max_size), labels};
  }
};
}  // namespace detail

template <class Unary>
struct ModelCodec<GridCrf<Unary>> {
  static constexpr std::string_view kind = "grid_crf";
  static HyperParams hyper(const GridCrf<Unary>& m) {
    HyperParams h;
    h.set_integer("height", m.grid().height());
    h.set_integer("width", m.grid().width());
    h.set_integer("labels", m.num_labels());
    h.set_integer("patch_radius", m.features().radius);
    h.set_integer("pool", m.features().pool);
    h.set_integer("pooled_radius", m.features().pooled_radius);
    h.set_string("unary", std::string(detail::UnaryCodec<Unary>::name));
    detail::UnaryCodec<Unary>::write(m.unary_net(), h);
    h.set_string("pairwise", to_string(m.pairwise()));
    if (m.pairwise() == Pairwise::contrast) h.set_integer("edge_hidden", m.edge_net().hidden());
    return h;
  }
  static GridCrf<Unary> make(const HyperParams& h) {
    const std::string unary = h.one_of("unary", {"linear", "mlp"});
    ensure(unary == detail::UnaryCodec<Unary>::name, h.where(), ": holds a grid CRF with a '", unary,
           "' unary, expected '", detail::UnaryCodec<Unary>::name, "'");
    PatchFeatures feat;
    feat.radius = h.integer("patch_radius", 0, detail::max_size);
    feat.pool = h.integer("pool", 1, detail::max_size);
    feat.pooled_radius = h.integer("pooled_radius", 0, detail::max_size);
    const int labels = int(h.integer("labels", 2, max_labels));
    const Pairwise pw = parse_pairwise(h.one_of("pairwise", {"potts", "full", "contrast"}));
    const Index edge_hidden = pw == Pairwise::contrast ? h.integer("edge_hidden", 1, detail::max_size) : 8;
    return GridCrf<Unary>(h.integer("height", 1, detail::max_size), h.integer("width", 1, detail::max_size), feat,
                          detail::UnaryCodec<Unary>::make(h, feat.count(), labels), pw, edge_hidden);
  }
};

}  // namespace ebm
