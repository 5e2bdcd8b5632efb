// The registry of model kinds and the run-time halves of ebm's own kinds (io/model_codecs.hpp lists their
// fields): θ's length from the hyper-parameters, every field checked and every size computed with overflow
// checks, and the chain states a checkpoint of the kind holds.
#include <limits>
#include <mutex>
#include <string>

#include "ebm/core/checked_arithmetic.hpp"
#include "ebm/core/checks.hpp"
#include "ebm/core/labels.hpp"
#include "ebm/io/model_kind.hpp"

namespace ebm {
namespace {

constexpr std::int64_t max_size = std::numeric_limits<std::int64_t>::max();
// The grid's site lists are built when a CRF is made, before any θ or chain section bounds them: 2²² sites
// (2048 × 2048) keep what a crafted header can make ebm allocate to ~32 MB.
constexpr Index max_crf_sites = Index(1) << 22;

const Matrixf* chain(const std::map<std::string, Matrixf>& chains, const std::string& name) {
  const auto it = chains.find(name);
  return it == chains.end() ? nullptr : &it->second;
}

void check_width(const Matrixf& m, const std::string& name, Index cols, const std::string& what,
                 const std::string& where) {
  ensure(m.cols() == cols, where, ": chains.", name, " has ", m.cols(), " columns; ", what, " needs ", cols);
}

// Rows of every chain matrix the kind knows are one chain each, so they agree.
void check_rows(const std::map<std::string, Matrixf>& chains, std::initializer_list<const char*> names,
                const std::string& where) {
  const Matrixf* first = nullptr;
  std::string first_name;
  for (const char* n : names)
    if (const Matrixf* m = chain(chains, n)) {
      if (!first) {
        first = m;
        first_name = n;
      }
      ensure(m->rows() == first->rows(), where, ": chains.", n, " has ", m->rows(), " rows, chains.", first_name,
             " ", first->rows(), "; every chain state has one row per chain");
    }
}

void check_probabilities(const Matrixf& m, const std::string& what) {
  for (Index r = 0; r < m.rows(); ++r)
    for (Index c = 0; c < m.cols(); ++c)
      if (!(m(r, c) >= 0 && m(r, c) <= 1))  // NaN fails too
        fail(what, ": entry (", r, ", ", c, ") is ", double(m(r, c)), "; a probability must lie in [0, 1]");
}

// ---- Bernoulli and Gaussian-Bernoulli RBMs: θ = [W, b, c] ----
Index rbm_params(const HyperParams& h) {
  const Index nv = h.integer("num_visible", 1, max_size), nh = h.integer("num_hidden", 1, max_size);
  const std::string& where = h.where();
  const Index w = checked_mul(nv, nh, where + ": num_visible x num_hidden");
  return checked_add(checked_add(w, nv, where + ": parameter count"), nh, where + ": parameter count");
}

void check_rbm_chains(const HyperParams& h, const std::map<std::string, Matrixf>& chains, const std::string& where,
                      bool binary_visible) {
  const Index nv = h.integer("num_visible", 1, max_size), nh = h.integer("num_hidden", 1, max_size);
  const std::string kind = binary_visible ? "a bernoulli_rbm" : "a gaussian_bernoulli_rbm";
  check_rows(chains, {"v", "h", "ph"}, where);
  if (const Matrixf* v = chain(chains, "v")) {
    check_width(*v, "v", nv, kind + " of " + std::to_string(nv) + " visible units", where);
    if (binary_visible) check_binary(*v, where + ": chains.v");
  }
  if (const Matrixf* m = chain(chains, "h")) {
    check_width(*m, "h", nh, kind + " of " + std::to_string(nh) + " hidden units", where);
    check_binary(*m, where + ": chains.h");
  }
  if (const Matrixf* m = chain(chains, "ph")) {
    check_width(*m, "ph", nh, kind + " of " + std::to_string(nh) + " hidden units", where);
    check_probabilities(*m, where + ": chains.ph");
  }
}

Index gaussian_rbm_params(const HyperParams& h) {
  const Index n = rbm_params(h);
  for (const double s : h.numbers("sigma", std::size_t(h.integer("num_visible", 1, max_size))))
    ensure(s > 0, h.where(), ": sigma = ", s, " must be positive");
  return n;
}

// ---- MLP energy: θ = [W_1, …, W_L, b_1, …, b_L] ----
Index mlp_params(const HyperParams& h) {
  const std::string& where = h.where();
  const std::vector<std::int64_t> s = h.integers("layers", 1, max_size, 3, std::size_t(1) << 20);
  ensure(s.back() == 1, where, ": layers end with ", s.back(), "; the last layer is the energy, of width 1");
  Index n = 0;
  for (std::size_t l = 1; l < s.size(); ++l)
    n = checked_add(n, checked_add(checked_mul(s[l - 1], s[l], where + ": layers"), s[l], where + ": layers"),
                    where + ": parameter count");
  h.one_of("activation", {"softplus", "swish"});
  if (h.boolean("base_term")) h.numbers("base_logits", std::size_t(s.front()));
  return n;
}

void check_mlp_chains(const HyperParams& h, const std::map<std::string, Matrixf>& chains, const std::string& where) {
  if (const Matrixf* x = chain(chains, "x")) {
    const Index d = h.integers("layers", 1, max_size, 3, std::size_t(1) << 20).front();
    check_width(*x, "x", d, "an mlp_energy of " + std::to_string(d) + " inputs", where);
  }
}

// ---- Grid CRF: θ = [unary θ, pairwise θ] ----
Index crf_sites(const HyperParams& h) {
  const Index sites = checked_mul(h.integer("height", 1, max_size), h.integer("width", 1, max_size),
                                  h.where() + ": height x width");
  ensure(sites <= max_crf_sites, h.where(), ": height x width = ", sites, " sites; at most ", max_crf_sites);
  return sites;
}

Index patch_count(const HyperParams& h, const std::string& key) {
  const Index side = checked_add(checked_mul(h.integer(key, 0, max_size), 2, h.where() + ": " + key), 1,
                                 h.where() + ": " + key);
  return checked_mul(side, side, h.where() + ": " + key + " patch size");
}

Index crf_params(const HyperParams& h) {
  const std::string& where = h.where();
  crf_sites(h);
  const Index labels = h.integer("labels", 2, max_labels);
  const Index pool = h.integer("pool", 1, max_size);
  Index features = patch_count(h, "patch_radius");
  if (pool > 1) features = checked_add(features, patch_count(h, "pooled_radius"), where + ": feature count");
  else h.integer("pooled_radius", 0, max_size);
  Index unary = 0;
  if (h.one_of("unary", {"linear", "mlp"}) == "linear") {
    unary = checked_add(checked_mul(labels, features, where + ": unary weights"), labels, where + ": unary");
  } else {
    const Index m = h.integer("unary_hidden", 1, max_size);
    unary = checked_add(checked_mul(m, features, where + ": unary weights"),
                        checked_add(checked_mul(labels, m, where + ": unary weights"), m + labels, where + ": unary"),
                        where + ": unary");
  }
  const Index pair = h.one_of("pairwise", {"potts", "full"}) == "potts" ? 1 : labels * labels;
  return checked_add(unary, pair, where + ": parameter count");
}

void check_crf_chains(const HyperParams& h, const std::map<std::string, Matrixf>& chains, const std::string& where) {
  if (const Matrixf* y = chain(chains, "y")) {
    const Index sites = crf_sites(h), labels = h.integer("labels", 2, max_labels);
    check_width(*y, "y", sites, "a grid_crf of " + std::to_string(sites) + " sites", where);
    for (Index r = 0; r < y->rows(); ++r)
      for (Index c = 0; c < y->cols(); ++c) {
        const float v = (*y)(r, c);
        ensure(v >= 0 && v < float(labels) && v == float(int(v)), where, ": chains.y: entry (", r, ", ", c, ") is ",
               double(v), "; a label is an integer in [0, ", labels, ")");
      }
  }
}

struct Registry {
  std::mutex mutex;
  std::map<std::string, ModelKind, std::less<>> kinds;
  Registry() {
    add({"bernoulli_rbm", rbm_params,
         [](const HyperParams& h, const auto& c, const std::string& w) { check_rbm_chains(h, c, w, true); }});
    add({"gaussian_bernoulli_rbm", gaussian_rbm_params,
         [](const HyperParams& h, const auto& c, const std::string& w) { check_rbm_chains(h, c, w, false); }});
    add({"mlp_energy", mlp_params, check_mlp_chains});
    add({"grid_crf", crf_params, check_crf_chains});
  }
  void add(ModelKind k) {
    ensure(!k.name.empty() && bool(k.num_params), "register_model_kind: a kind needs a name and num_params");
    kinds.insert_or_assign(k.name, std::move(k));
  }
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void register_model_kind(ModelKind kind) {
  Registry& r = registry();
  const std::lock_guard lock(r.mutex);
  r.add(std::move(kind));
}

// Kinds are never removed, and std::map nodes never move, so the pointer stays valid (a re-registration
// replaces the entry in place: register kinds before files are read).
const ModelKind* find_model_kind(std::string_view name) {
  Registry& r = registry();
  const std::lock_guard lock(r.mutex);
  const auto it = r.kinds.find(name);
  return it == r.kinds.end() ? nullptr : &it->second;
}

std::vector<std::string> model_kind_names() {
  Registry& r = registry();
  const std::lock_guard lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& [name, kind] : r.kinds) names.push_back(name);
  return names;
}

}  // namespace ebm
