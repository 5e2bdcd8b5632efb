#pragma once
// Everything of ebm's core in one include.
#include "ebm/core/checks.hpp"
#include "ebm/core/concepts.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/parallel.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"
#include "ebm/estimate/ais.hpp"
#include "ebm/estimate/exact.hpp"
#include "ebm/models/bernoulli_rbm.hpp"
#include "ebm/samplers/block_gibbs.hpp"
#include "ebm/samplers/chain_policies.hpp"
#include "ebm/train/trainer.hpp"
