#pragma once
// What `ebm eval` reports of any model's AIS: the fields of the JSON object and the warning when the
// importance weights degenerate (shared by the RBM's AIS and the generic AIS of an MLP energy).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "ebm/estimate/ais.hpp"

namespace ebm::cli {

// log Z and its ±3σ interval (equal for an exact value).
struct LogZEstimate {
  double log_z = 0, lower = 0, upper = 0;
};

inline LogZEstimate report_ais(const AisResult& r, nlohmann::json& out) {
  // Degenerate weights are AIS's failure mode: log Z is then most likely underestimated (the mean of
  // a heavy-tailed weight distribution is dominated by runs that were not drawn), so the
  // log-likelihood is too high, and the delta-method standard error does not show it.
  if (r.effective_sample_size < 0.1 * double(r.runs))
    std::fprintf(stderr,
                 "ebm eval: warning: AIS importance weights are degenerate (effective sample size %.1f of %ld "
                 "runs); log Z is probably underestimated. Use more --ais-betas and --ais-runs.\n",
                 r.effective_sample_size, long(r.runs));
  out["method"] = "ais";
  out["log_z_stderr"] = r.log_z_stderr;
  out["ais_runs"] = r.runs;
  out["ais_betas"] = r.num_betas;
  out["ais_effective_sample_size"] = r.effective_sample_size;
  out["log_z_base"] = r.log_z_base;
  return {r.log_z, r.log_z_lower, r.log_z_upper};
}

}  // namespace ebm::cli
