// The targets of `ebm bench` (bench_targets.hpp).
#include "cli/bench_targets.hpp"

#include <cmath>
#include <cstdlib>
#include <sstream>
#include <utility>
#include <vector>

#include "cli/rbm_file.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/random.hpp"
#include "ebm/estimate/exact_binary.hpp"
#include "ebm/estimate/exact_categorical.hpp"
#include "ebm/io/model_kind.hpp"
#include "ebm/samplers/block_gibbs.hpp"

namespace ebm::cli {
namespace {

constexpr Index max_enumerated_dim = 25;

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) parts.push_back(part);
  if (!s.empty() && s.back() == sep) parts.emplace_back();
  return parts;
}

double number(const std::string& text, const std::string& spec, const char* what) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  ensure(!text.empty() && end == text.c_str() + text.size() && std::isfinite(v), "--target '", spec, "': ", what,
         " '", text, "' is not a finite number");
  return v;
}

Index integer(const std::string& text, const std::string& spec, const char* what, Index lo, Index hi) {
  const double v = number(text, spec, what);
  ensure(v == std::floor(v) && v >= double(lo) && v <= double(hi), "--target '", spec, "': ", what, " '", text,
         "' must be an integer in [", lo, ", ", hi, "]");
  return Index(v);
}

// Final states of block-Gibbs chains from uniform random starts, after `sweeps` sweeps.
Matrixf block_gibbs_reference(const BernoulliRBMf& rbm, std::uint64_t seed, const ReferenceOptions& opt) {
  BlockGibbs<BernoulliRBMf> gibbs;
  GibbsChains<float> s;
  Matrixf x0(opt.states, rbm.num_visible());
  Rng init = make_stream(seed, StreamPurpose::init, 2);
  for (Index r = 0; r < x0.rows(); ++r)
    for (Index i = 0; i < x0.cols(); ++i) x0(r, i) = bernoulli(init, 0.5f);
  // Streams of their own (purpose user), so the reference never shares draws with the benchmarked chains.
  std::vector<Rng> rng;
  for (Index r = 0; r < opt.states; ++r) rng.push_back(make_stream(seed, StreamPurpose::user, std::uint64_t(r)));
  gibbs.init(rbm, s, x0, rng);
  for (Index t = 0; t < opt.sweeps; ++t) gibbs.step(rbm, s, rng);
  return s.v;
}

// E_p[x_i] of every site's label (as a number), by enumeration of the q^n states.
Vectord exact_label_mean(const PottsTarget& model) {
  const Vectord p = exact_categorical_distribution(model);
  const Index n = model.num_sites();
  Vectord mean = Vectord::Zero(n);
  std::vector<Label> x(static_cast<std::size_t>(n));
  for (Index k = 0; k < p.size(); ++k) {
    categorical_state(k, model.num_labels(), x);
    for (Index i = 0; i < n; ++i) mean[i] += p[k] * double(x[std::size_t(i)]);
  }
  return mean;
}

// q^n when it is at most max_exact_categorical_states, else 0.
Index enumerable_states(Index n, int q) {
  Index states = 1;
  for (Index i = 0; i < n; ++i) {
    if (states > max_exact_categorical_states / q) return 0;
    states *= q;
  }
  return states;
}

// The lattice LxW of a spelling, each side in [lo, 2^14].
std::pair<Index, Index> lattice(const std::string& text, const std::string& spec, Index lo) {
  const auto sides = split(text, 'x');
  ensure(sides.size() == 2, "--target '", spec, "': lattice '", text, "' must be LxW, e.g. 50x50");
  return {integer(sides[0], spec, "side L", lo, 1 << 14), integer(sides[1], spec, "side W", lo, 1 << 14)};
}

// "ratio = 0.9 (disordered, high temperature)" for a coupling against its critical value.
std::string phase_note(const char* what, double ratio) {
  std::ostringstream note;
  note.precision(3);
  note << what << " = " << ratio << " (" << (ratio < 1 ? "disordered, high temperature" : "ordered, low temperature")
       << ")";
  return note.str();
}

}  // namespace

Index BenchTarget::dim() const {
  return std::visit([](const auto& m) { return state_dim(m); }, model);
}

const char* target_usage() {
  return "ising:LxW:sigma[:field], potts:LxW:q:J[:field], bernoulli:d[:seed], rbm:FILE, mlp:FILE";
}

BenchTarget make_target(const std::string& spec, std::uint64_t seed, const ReferenceOptions& reference) {
  const std::size_t colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  const std::string rest = colon == std::string::npos ? std::string() : spec.substr(colon + 1);
  ensure(reference.states >= 1 && reference.sweeps >= 0, "bench: reference states = ", reference.states,
         " and sweeps = ", reference.sweeps, " must be positive and non-negative");
  auto result = [&](TargetModel m) {
    BenchTarget t{spec, kind, std::move(m), 2, {}, {}, {}, {}};
    return t;
  };
  if (kind == "ising") {
    const auto p = split(rest, ':');
    ensure(p.size() == 2 || p.size() == 3, "--target '", spec, "': write ising:LxW:sigma[:field], e.g. ising:5x5:0.2");
    const auto [rows, cols] = lattice(p[0], spec, 3);
    const double sigma = number(p[1], spec, "sigma");
    const double field = p.size() == 3 ? number(p[2], spec, "field") : 0.0;
    BenchTarget t = result(IsingTarget::uniform_field(rows, cols, sigma, field));
    t.note = phase_note("sigma/sigma_c", sigma / IsingTarget::critical_sigma());
    if (t.dim() <= max_enumerated_dim) t.exact_mean = exact_binary_mean(std::get<IsingTarget>(t.model));
    return t;
  }
  if (kind == "potts") {
    const auto p = split(rest, ':');
    ensure(p.size() == 3 || p.size() == 4, "--target '", spec, "': write potts:LxW:q:J[:field], e.g. potts:20x20:3:1.0");
    const auto [rows, cols] = lattice(p[0], spec, 2);
    const int q = int(integer(p[1], spec, "labels q", 2, max_labels));
    const double coupling = number(p[2], spec, "coupling J");
    const double field = p.size() == 4 ? number(p[3], spec, "field") : 0.0;
    Vectorf h = Vectorf::Zero(rows * cols * q);
    for (Index s = 0; s < rows * cols; ++s) h[s * q] = float(field);
    BenchTarget t = result(PottsTarget(rows, cols, q, coupling, h));
    t.labels = q;
    t.note = "q = " + std::to_string(q) + ", " + phase_note("J/J_c", coupling / PottsTarget::critical_coupling(q));
    if (enumerable_states(rows * cols, q) > 0) t.exact_mean = exact_label_mean(std::get<PottsTarget>(t.model));
    return t;
  }
  if (kind == "bernoulli") {
    const auto p = split(rest, ':');
    ensure(p.size() == 1 || p.size() == 2, "--target '", spec, "': write bernoulli:d[:seed], e.g. bernoulli:100");
    const Index d = integer(p[0], spec, "dimension d", 1, 1 << 24);
    const std::uint64_t model_seed = p.size() == 2 ? std::uint64_t(integer(p[1], spec, "seed", 0, Index(1) << 52)) : 1;
    Rng rng = make_stream(model_seed, StreamPurpose::user, 0);
    Vectorf a(d);
    for (Index i = 0; i < d; ++i) a[i] = standard_normal<float>(rng);
    BenchTarget t = result(BernoulliTarget(a));
    const auto& fb = std::get<BernoulliTarget>(t.model);
    t.exact_mean = fb.mean();
    Matrixf ref(reference.states, d);
    Rng draws = make_stream(seed, StreamPurpose::init, 3);
    for (Index r = 0; r < ref.rows(); ++r) fb.sample(draws, std::span<float>(ref.row(r).data(), std::size_t(d)));
    t.reference = std::move(ref);
    t.reference_source = std::to_string(reference.states) + " exact independent draws";
    return t;
  }
  if (kind == "rbm" || kind == "mlp") {
    ensure(!rest.empty(), "--target '", spec, "': write ", kind, ":FILE (a model file written by ebm)");
    const ModelFile f = load_model_file(rest, kind == "rbm" ? "bernoulli_rbm" : "mlp_energy");
    BenchTarget t = kind == "rbm" ? result(RbmTarget(rbm_of(f))) : result(model_of<MlpTarget>(f));
    if (t.dim() <= max_enumerated_dim)
      t.exact_mean = kind == "rbm" ? exact_binary_mean(std::get<RbmTarget>(t.model))
                                   : exact_binary_mean(std::get<MlpTarget>(t.model));
    if (kind == "rbm") {
      t.reference = block_gibbs_reference(std::get<RbmTarget>(t.model).rbm(), seed, reference);
      t.reference_source = std::to_string(reference.states) + " block-Gibbs chains after " +
                           std::to_string(reference.sweeps) + " sweeps";
    }
    return t;
  }
  fail("--target '", spec, "': unknown target '", kind, "'; valid: ", target_usage());
}

}  // namespace ebm::cli
