// `ebm sample` of an MLP energy (or of an RBM through its free energy): chains of a binary kernel (--kernel, GWG by
// default for an MLP energy) on the energy, or
// parallel tempering (--sampler pt) with that kernel in every replica, towards the factorized Bernoulli base
// at β → 0 (EnergyTempering). Traced per sweep after burn-in: the energy E(x) and the mean of x, for ESS and
// R-hat; DMALA's step size is adapted for --warmup steps first (from the same start states) and then frozen.
#include <vector>

#include "cli/kernel_choice.hpp"
#include "cli/mlp_file.hpp"
#include "cli/rbm_file.hpp"
#include "cli/sample_args.hpp"
#include "ebm/diagnostics/chain_summary.hpp"
#include "ebm/models/rbm_free_energy.hpp"
#include "ebm/samplers/energy_tempering.hpp"
#include "ebm/samplers/parallel_tempering.hpp"
#include "ebm/samplers/temperature_ladder.hpp"

namespace ebm::cli {

namespace {

template <class Model>
Matrixf sample_binary(const SampleArgs& a, const Model& model, const VectorX<float>& base, const Matrixf& x0,
                      SampleReport& report) {
  report.kernel = a.kernel;
  if (a.sampler != "pt") report.sampler = a.kernel;
  Eigen::MatrixXd energy(a.diagnostics ? a.steps : 0, a.chains), mean(a.diagnostics ? a.steps : 0, a.chains);
  Vectorf e(a.chains);
  auto record = [&](const BinaryChains<float>& s, Index t) {
    model.energy(s.x, e);
    energy.row(t) = e.cast<double>().transpose();
    mean.row(t) = s.x.rowwise().mean().cast<double>().transpose();
  };
  double acceptance = 0;
  Index counted = 0;
  Matrixf out;
  const KernelChoice kc = parse_kernel(a.kernel);
  if (a.sampler != "pt") {
    with_binary_kernel<Model>(kc, a.step_size, [&](auto kernel) {
      adapt_step_size(kernel, model, x0, a.warmup, a.target_acceptance, a.seed);
      typename decltype(kernel)::State s;
      std::vector<Rng> rng = make_chain_streams(a.seed, a.chains);
      kernel.init(model, s, x0, rng);
      bool sampling = false;
      run_sweeps(
          a,
          [&] {
            const double acc = kernel.step(model, s, rng).acceptance_rate;
            if (sampling) acceptance += acc, ++counted;
          },
          [&](Index t) { record(s, t); }, [&] { sampling = true; });
      out = s.x;
    });
  } else {
    using Tempered = TemperedBinaryEnergy<Model>;
    with_binary_kernel<Tempered>(kc, a.step_size, [&](auto kernel) {
      adapt_step_size(kernel, Tempered(model, base, 1.0), x0, a.warmup, a.target_acceptance, a.seed);
      using K = decltype(kernel);
      ParallelTempering<K, EnergyTempering<Model>> pt(std::move(kernel), a.chains,
                                                      linear_ladder(a.temperatures, a.beta_min), 1, a.seed,
                                                      EnergyTempering<Model>(base));
      pt.start(model, x0);
      bool sampling = false;
      run_sweeps(
          a,
          [&] {
            pt.sweep(model);
            pt.swap(model);
            if (sampling) acceptance += pt.state().acceptance.mean(), ++counted;
          },
          [&](Index t) { record(pt.state(), t); },
          [&] {
            pt.reset_swap_stats();  // rates over the sampling sweeps only
            sampling = true;
          });
      report.swap_rates = pt.swap_rates();
      report.round_trips = pt.swap_stats().round_trips;
      out = pt.state().x;
    });
  }
  report.acceptance_rate = counted > 0 ? acceptance / double(counted) : 0.0;
  if (a.diagnostics && a.steps >= min_diagnostic_sweeps) {
    report.diagnostics.emplace_back("energy", summarize(energy));
    report.diagnostics.emplace_back("visible_mean", summarize(mean));
  }
  return out;
}

}  // namespace

Matrixf sample_mlp(const SampleArgs& a, const ModelFile& file, const Matrixf& x0, SampleReport& report) {
  const MlpModel model = mlp_of(file);
  const nlohmann::json meta = metadata_of(file, a.model);
  return sample_binary(a, model, base_logits_for(model, meta, Matrixf::Constant(1, model.dim(), 0.5f)), x0, report);
}

Matrixf sample_rbm_binary(const SampleArgs& a, const BernoulliRBMf& rbm, const nlohmann::json& meta, const Matrixf& x0,
                          SampleReport& report) {
  const RbmFreeEnergy<float> model(rbm);
  const Index d = model.dim();
  return sample_binary(a, model, base_logits_for(d, meta, Matrixf::Constant(1, d, 0.5f)), x0, report);
}

}  // namespace ebm::cli
