// The C++ half of the MLP-energy export test (tests/cli/mlp_export_numpy.py):
//   mlp_model_tool make OUT.ebm X.npy E.npy ACTIVATION BASE   a random 6-5-4-1 MLP energy (base term if BASE
//                                                             is 1), 32 inputs x (binary and real rows) and
//                                                             ebm's energies E(x) of the model, in double
//   mlp_model_tool same A.ebm B.ebm                           exit 0 when both hold the same MLP energy bit for
//                                                             bit (θ, base logits, sizes, activation, α)
#include <cstdio>
#include <string>

#include "ebm/io/model_codecs.hpp"
#include "ebm/io/npy.hpp"

using namespace ebm;

namespace {

int make(const std::string& out, const std::string& xs, const std::string& es, const std::string& act, bool base) {
  MlpEnergyf net(6, {5, 4}, act == "softplus" ? Activation::softplus : Activation::swish);
  Rng rng = make_stream(17, StreamPurpose::init, 0);
  net.init_normal(rng, 1.5);
  net.modify_params([&](Vectorf& t) {  // biases too, so that every term of the formula matters
    for (Index k = net.num_weights(); k < t.size(); ++k) t[k] = float(standard_normal<double>(rng));
  });
  Vectorf a = Vectorf::Zero(6);
  if (base)
    for (Index i = 0; i < a.size(); ++i) a[i] = float(standard_normal<double>(rng));
  save_model(out, BaseTermEnergy<MlpEnergyf>(net, a), R"({"made_by": "mlp_model_tool"})");
  Matrixd x(32, 6);
  for (Index r = 0; r < x.rows(); ++r)
    for (Index c = 0; c < x.cols(); ++c)
      x(r, c) = r < 24 ? double(uniform01d(rng) < 0.5) : double(float(2 * standard_normal<double>(rng)));
  // The energies of the file's model, evaluated in double (θ read from float32, exactly).
  const auto m = load_model<BaseTermEnergy<MlpEnergyd>>(out);
  Vectord e(x.rows());
  m.energy(x, e);
  write_npy(xs, x, NpyType::f64);
  write_npy(es, e, NpyType::f64, true);
  return 0;
}

template <class V>
bool bits_equal(const V& a, const V& b) {
  return a.size() == b.size() && (a.size() == 0 || std::memcmp(a.data(), b.data(), sizeof(a[0]) * std::size_t(a.size())) == 0);
}

int same(const std::string& pa, const std::string& pb) {
  using M = BaseTermEnergy<MlpEnergyf>;
  const M a = load_model<M>(pa), b = load_model<M>(pb);
  const bool ok = a.net().sizes() == b.net().sizes() && a.net().activation() == b.net().activation() &&
                  a.has_base() == b.has_base() &&
                  bits_equal(a.base_logits(), b.base_logits()) && bits_equal(a.params(), b.params());
  if (!ok) std::fprintf(stderr, "mlp_model_tool: %s and %s hold different MLP energies\n", pa.c_str(), pb.c_str());
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "make" && argc == 7) return make(argv[2], argv[3], argv[4], argv[5], std::string(argv[6]) == "1");
    if (mode == "same" && argc == 4) return same(argv[2], argv[3]);
    std::fprintf(stderr, "usage: mlp_model_tool make OUT.ebm X.npy E.npy ACTIVATION BASE | same A.ebm B.ebm\n");
  } catch (const Error& e) {
    std::fprintf(stderr, "mlp_model_tool: %s\n", e.what());
  }
  return 2;
}
