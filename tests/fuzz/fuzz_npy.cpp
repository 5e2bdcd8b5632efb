// libFuzzer target for the .npy reader: the bytes are parsed from memory, read back from a file, and loaded as
// `--data` is loaded by the CLI. ebm::Error is the expected outcome of a bad file; anything else (a crash, a
// sanitizer report, another exception, or the two readers disagreeing) is a finding.
#include <cstring>
#include <optional>

#include "cli/data_source.hpp"
#include "ebm/core/error.hpp"
#include "ebm/io/npy.hpp"
#include "fuzz/fuzz_support.hpp"

using namespace ebm;

namespace {

bool same_bits(const Matrixd& a, const Matrixd& b) {
  // Empty matrices may have null data(), which memcmp must not see.
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         (a.size() == 0 || std::memcmp(a.data(), b.data(), sizeof(double) * std::size_t(a.size())) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fuzz::ScratchFile file("data.npy", fuzz::bytes_of(data, size));
  std::optional<Matrixd> parsed;
  std::string parse_error;
  try {
    parsed = parse_npy(fuzz::bytes_of(data, size), file.path);
  } catch (const Error& e) {
    parse_error = e.what();
  }
  // The file reader is the same header parser plus a block-wise read: same array or the same message.
  try {
    const Matrixd m = read_npy(file.path);
    if (!parsed || !same_bits(m, *parsed)) fuzz::broken("read_npy accepted what parse_npy refused:", parse_error);
  } catch (const Error& e) {
    if (parsed || parse_error != e.what()) fuzz::broken("read_npy and parse_npy disagree:", e.what());
  }
  if (parsed) {
    // What ebm writes from an array it read is read back bit for bit.
    const fuzz::ScratchFile copy("copy.npy", "");
    write_npy(copy.path, *parsed, NpyType::f64, parsed->cols() == 1);
    if (!same_bits(read_npy(copy.path), *parsed)) fuzz::broken("write_npy / read_npy round trip changed the array");
    // The CLI's `--data file.npy`: every array is data or an ebm::Error (empty, non-finite, outside [0, 1]).
    try {
      (void)cli::load_data(file.path, "", -1);
      (void)cli::load_data(file.path, "", 1);
    } catch (const Error&) {
    }
  }
  return 0;
}
