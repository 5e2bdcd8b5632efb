// libFuzzer target for the .ebm model file reader, through its public API (load_model_file takes a path). Each
// input is loaded twice: as it is (almost always stopped by the CRC-32, as accidents are) and with its last four
// bytes replaced by the CRC-32 of the rest, as an attacker would, so that mutations reach the sections, the JSON
// metadata and the training state. A loaded file is then turned into an RBM as `ebm eval`/`sample` do.
// ebm::Error is the expected outcome of a bad file; anything else is a finding.
#include <boost/crc.hpp>
#include <string>

#include "cli/rbm_file.hpp"
#include "ebm/core/error.hpp"
#include "ebm/io/model_file.hpp"
#include "fuzz/fuzz_support.hpp"

using namespace ebm;

namespace {

void load(const std::string& path) {
  try {
    const ModelFile f = load_model_file(path, "");
    if (f.kind == "bernoulli_rbm") (void)cli::rbm_of(f);
    (void)cli::metadata_of(f);
  } catch (const Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(fuzz::bytes_of(data, size));
  {
    const fuzz::ScratchFile file("model.ebm", bytes);
    load(file.path);
  }
  if (bytes.size() >= 4) {
    boost::crc_32_type crc;
    crc.process_bytes(bytes.data(), bytes.size() - 4);
    const std::uint32_t sum = crc.checksum();
    for (int k = 0; k < 4; ++k) bytes[bytes.size() - 4 + std::size_t(k)] = char((sum >> (8 * k)) & 0xff);
    const fuzz::ScratchFile file("model.ebm", bytes);
    load(file.path);
  }
  return 0;
}
