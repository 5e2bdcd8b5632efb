#pragma once
// Everything for energies over binary x ∈ {0,1}^d: the binary energies (an MLP or any continuous energy with a
// factorized Bernoulli base term, the Bernoulli RBM's free energy) and the kernels over batches of binary
// chains (Gibbs-with-Gradients, DULA, DMALA, random-scan Gibbs, random-walk Metropolis), with step-size
// adaptation for DMALA.
#include "ebm/models/base_term_energy.hpp"
#include "ebm/models/mlp_energy.hpp"
#include "ebm/models/rbm_free_energy.hpp"
#include "ebm/samplers/binary_chains.hpp"
#include "ebm/samplers/discrete_langevin.hpp"
#include "ebm/samplers/gibbs_with_gradients.hpp"
#include "ebm/samplers/single_flip_kernels.hpp"
#include "ebm/samplers/step_size_adaptation.hpp"
