#pragma once
// Draws of one scalar quantity from several Markov chains, the input of every diagnostic in this folder: a
// matrix x(t, c) with the iteration t down the rows and the chain c across the columns. Column-major (Eigen's
// default), so each chain is contiguous. Other layouts convert on the way in, at the cost of one copy: a
// row-major matrix, or a raw buffer through Eigen::Map<const Eigen::MatrixXd>(data, iterations, chains).
#include <Eigen/Core>

#include "ebm/core/types.hpp"

namespace ebm {

using ConstDrawsRef = Eigen::Ref<const Eigen::MatrixXd>;

// Throws ebm::Error, naming `what`, unless there is at least one chain, at least min_iterations draws per
// chain, and every draw is finite (the first non-finite one is named by iteration and chain).
void check_draws(const ConstDrawsRef& draws, Index min_iterations, const char* what);

// Every chain cut into its first and its second half: 2m chains of ⌊n/2⌋ draws (for odd n the middle draw
// is dropped). A trend inside a chain then shows up as disagreement between chains, which R-hat and the
// multi-chain ESS measure. Column 2c is the first half of chain c, column 2c + 1 its second half.
Eigen::MatrixXd split_chains(const ConstDrawsRef& draws);

}  // namespace ebm
