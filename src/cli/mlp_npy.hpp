#pragma once
// An MLP energy as NumPy files (`ebm export --npy` / `ebm import --npy`), for evaluation outside ebm:
//   meta.json   {"kind": "mlp_energy", "layers": [d, h_1, …, 1], "activation": "softplus" | "swish",
//                "base_term": true | false}
//   W<l>.npy    layer l as it maps row vectors, layers[l] × layers[l+1]:  h_{l+1} = act(h_l W_l + b_l)
//   b<l>.npy    layers[l+1]
//   base.npy    the base logits a (d), only with the base term
// with E(x) = h_{L−1} W_{L−1} + b_{L−1} − a·x (the last layer linear, one output). README.md: "MLP energies as
// NumPy files".
#include <string>

#include "ebm/io/npy.hpp"
#include "ebm/models/base_term_energy.hpp"
#include "ebm/models/mlp_energy.hpp"

namespace ebm::cli {

using MlpFileModel = BaseTermEnergy<MlpEnergyf>;

void export_mlp_npy(const MlpFileModel& m, const std::string& dir, NpyType type);
MlpFileModel import_mlp_npy(const std::string& dir);

}  // namespace ebm::cli
