// libFuzzer target for the IDX reader: the bytes are parsed from memory, read back from a file, and converted
// to images and labels as the CLI does. ebm::Error is the expected outcome of a bad file; anything else (a
// crash, a sanitizer report, another exception, or the two readers disagreeing) is a finding.
#include <optional>

#include "ebm/core/error.hpp"
#include "ebm/io/idx.hpp"
#include "fuzz/fuzz_support.hpp"

using namespace ebm;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fuzz::ScratchFile file("data.idx", fuzz::bytes_of(data, size));
  std::optional<IdxArray> parsed;
  std::string parse_error;
  try {
    parsed = parse_idx(fuzz::bytes_of(data, size), file.path);
  } catch (const Error& e) {
    parse_error = e.what();
  }
  try {
    const IdxArray a = read_idx(file.path);
    if (!parsed || a.dims != parsed->dims || a.data != parsed->data)
      fuzz::broken("read_idx accepted what parse_idx refused:", parse_error);
  } catch (const Error& e) {
    if (parsed || parse_error != e.what()) fuzz::broken("read_idx and parse_idx disagree:", e.what());
  }
  if (parsed) {
    for (const Index limit : {Index{-1}, Index{0}, Index{1}}) {
      try {
        const Matrixf x = idx_images(*parsed, file.path, limit);
        if (parsed->dims.size() != 3 || (limit >= 0 && x.rows() > limit)) fuzz::broken("idx_images: wrong shape");
      } catch (const Error&) {
      }
      try {
        const std::vector<int> y = idx_labels(*parsed, file.path, limit);
        if (parsed->dims.size() != 1 || (limit >= 0 && Index(y.size()) > limit)) fuzz::broken("idx_labels: wrong size");
      } catch (const Error&) {
      }
    }
  }
  return 0;
}
