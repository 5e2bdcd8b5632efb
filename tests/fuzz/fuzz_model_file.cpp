// libFuzzer target for the .ebm model file reader (parse_model_file: the bytes in memory, the same code
// load_model_file runs on a file's contents). Each input is parsed twice: as it is (almost always stopped by the
// CRC-32, as accidents are) and with its last four bytes replaced by the CRC-32 of the rest, as an attacker
// would write it, so that mutations reach the sections, the JSON metadata and the training state. A file that
// loads is then turned into the model of its kind (every built-in C++ type of it) and its metadata checked, as
// `ebm eval` / `sample` / `export` do.
// ebm::Error is the expected outcome of a bad file; anything else is a finding.
#include <boost/crc.hpp>
#include <string>

#include "cli/rbm_file.hpp"
#include "ebm/core/error.hpp"
#include "ebm/io/model_codecs.hpp"
#include "ebm/io/model_file.hpp"
#include "fuzz/fuzz_support.hpp"

using namespace ebm;

namespace {

void parse(std::string_view bytes) {
  const std::string name = "fuzz.ebm";
  try {
    const ModelFile f = parse_model_file(bytes, name, "");
    (void)cli::metadata_of(f, name);
    // Each conversion on its own: a refusal of one type (a base term for a plain MlpEnergy) says nothing of
    // the next.
    const auto convert = [&](auto tag) {
      try {
        (void)model_of<typename decltype(tag)::type>(f);
      } catch (const Error&) {
      }
    };
    if (f.kind == "bernoulli_rbm") convert(std::type_identity<BernoulliRBMf>());
    if (f.kind == "gaussian_bernoulli_rbm") convert(std::type_identity<GaussianBernoulliRBM<float>>());
    if (f.kind == "mlp_energy") {
      convert(std::type_identity<MlpEnergyf>());
      convert(std::type_identity<BaseTermEnergy<MlpEnergyf>>());
    }
    if (f.kind == "grid_crf") {
      convert(std::type_identity<GridCrf<LinearUnary<float>>>());
      convert(std::type_identity<GridCrf<MlpUnary<float>>>());
    }
  } catch (const Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(fuzz::bytes_of(data, size));
  parse(bytes);
  if (bytes.size() >= 4) {
    boost::crc_32_type crc;
    crc.process_bytes(bytes.data(), bytes.size() - 4);
    const std::uint32_t sum = crc.checksum();
    for (int k = 0; k < 4; ++k) bytes[bytes.size() - 4 + std::size_t(k)] = char((sum >> (8 * k)) & 0xff);
    parse(bytes);
  }
  return 0;
}
