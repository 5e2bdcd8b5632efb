#include "cli/model_choice.hpp"

#include <cstdlib>
#include <sstream>

#include "cli/kernel_choice.hpp"
#include "ebm/core/random.hpp"

namespace ebm::cli {

std::vector<Index> parse_layers(const std::string& s, const std::string& option) {
  std::vector<Index> w;
  std::stringstream in(s);
  for (std::string t; std::getline(in, t, ',');) {
    char* end = nullptr;
    const long n = t.empty() ? 0 : std::strtol(t.c_str(), &end, 10);
    ensure(!t.empty() && *end == 0 && n >= 1 && n <= 1 << 20, option, " '", s, "': '", t,
           "' is not a layer width in [1, ", 1 << 20, "]");
    w.push_back(Index(n));
  }
  ensure(!w.empty(), option, " '", s, "' names no hidden layer (e.g. 256,256)");
  return w;
}

Activation parse_activation(const std::string& s) {
  if (s == "swish") return Activation::swish;
  if (s == "softplus") return Activation::softplus;
  fail("--activation '", s, "' is unknown; use swish or softplus");
}

MlpModel make_mlp(Index d, const TrainArgs& a, const Matrixf& marginal_source) {
  MlpEnergyf net(d, parse_layers(a.layers), parse_activation(a.activation));
  Rng rng = make_stream(a.seed, StreamPurpose::init, 0);
  net.init_normal(rng, a.init_sigma);
  if (!a.base_term) return MlpModel::without_base(std::move(net));
  return MlpModel(std::move(net), base_logits_from_data<float>(marginal_source));
}

void check_model_options(const CLI::App& c, const TrainArgs& a) {
  ensure(a.model == "rbm" || a.model == "mlp", "--model '", a.model, "' is unknown; use rbm or mlp");
  const KernelChoice k = parse_kernel(a.kernel);
  const bool rbm = a.model == "rbm";
  auto given = [&](const char* name) { return c.count(name) > 0; };
  if (rbm) {
    for (const char* o : {"--layers", "--activation", "--base-term", "--energy-penalty"})
      ensure(!given(o), o, " is an option of --model mlp, not of --model rbm");
    // Block Gibbs samples (v, h); any other binary kernel moves v under the free energy (train_rbm_binary),
    // where the centering transform, which reads the hidden chains, has nothing to read.
    const bool gibbs = k.kind == KernelChoice::Kind::block_gibbs;
    ensure(gibbs || !a.centering, "--centering with --model rbm --kernel ", a.kernel,
           ": centering needs block Gibbs' hidden chains (--kernel gibbs); use --no-centering");
    ensure(gibbs || !given("--centering-rate"), "--centering-rate needs --kernel gibbs with --model rbm");
    ensure(!gibbs || a.policy != "replay",
           "--policy replay with --kernel gibbs: the replay buffer stores visible states for a binary kernel (e.g. "
           "--kernel gwg)");
  } else {
    for (const char* o : {"--hidden", "--centering", "--centering-rate"})
      ensure(!given(o), o, " is an option of --model rbm; an MLP energy takes --layers, --activation and --base-term");
    ensure(k.kind != KernelChoice::Kind::block_gibbs,
           "--kernel gibbs (block Gibbs) with --model mlp: an MLP energy has no hidden layer to sample; use ",
           binary_kernel_names);
    parse_layers(a.layers);
    parse_activation(a.activation);
  }
  ensure(k.langevin() || !given("--step-size"), "--step-size is for --kernel dula or dmala, not ", a.kernel);
  ensure(a.policy == "replay" || (!given("--buffer") && !given("--reinit")),
         "--buffer and --reinit need --policy replay");
  ensure(a.policy == "pt" || (!given("--temperatures") && !given("--beta-min")),
         "--temperatures and --beta-min need --policy pt");
}

}  // namespace ebm::cli
