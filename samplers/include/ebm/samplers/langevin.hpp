#pragma once
// Everything for continuous energies: the virtual energy interface and the Gaussian examples, the Langevin
// samplers (ULA, MALA) over a batch of chains, and step-size adaptation.
#include "ebm/models/energy_function.hpp"
#include "ebm/models/gaussian_energy.hpp"
#include "ebm/samplers/langevin_chains.hpp"
#include "ebm/samplers/langevin_move.hpp"
#include "ebm/samplers/mala.hpp"
#include "ebm/samplers/step_size_adaptation.hpp"
#include "ebm/samplers/ula.hpp"
