#pragma once
// Everything for models over categorical x ∈ {0, …, q−1}^n (core/categorical_model.hpp): the periodic 2-D Potts
// model (the benchmark target) and the kernels over batches of categorical chains (random-scan and systematic-scan
// single-site Gibbs, categorical Gibbs-with-Gradients).
#include "ebm/core/categorical_model.hpp"
#include "ebm/models/potts_model.hpp"
#include "ebm/samplers/categorical_chains.hpp"
#include "ebm/samplers/categorical_gibbs.hpp"
#include "ebm/samplers/categorical_gwg.hpp"
