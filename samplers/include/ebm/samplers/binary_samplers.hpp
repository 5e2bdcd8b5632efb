#pragma once
// Everything for energies over binary x ∈ {0,1}^d: the binary energies (an MLP or any continuous energy with a
// factorized Bernoulli base term, the Bernoulli RBM's free energy; the benchmark targets: the periodic 2-D Ising
// model and a factorized Bernoulli) and the kernels over batches of binary chains (Gibbs-with-Gradients, DULA,
// DMALA, random-scan and systematic-scan Gibbs, random-walk Metropolis, the Hamming-ball sampler, the path
// auxiliary sampler), with step-size adaptation for DMALA.
#include "ebm/models/base_term_energy.hpp"
#include "ebm/models/factorized_bernoulli.hpp"
#include "ebm/models/ising_model.hpp"
#include "ebm/models/mlp_energy.hpp"
#include "ebm/models/rbm_free_energy.hpp"
#include "ebm/samplers/binary_chains.hpp"
#include "ebm/samplers/discrete_langevin.hpp"
#include "ebm/samplers/gibbs_with_gradients.hpp"
#include "ebm/samplers/hamming_ball.hpp"
#include "ebm/samplers/path_auxiliary.hpp"
#include "ebm/samplers/single_flip_kernels.hpp"
#include "ebm/samplers/step_size_adaptation.hpp"
#include "ebm/samplers/systematic_gibbs.hpp"
