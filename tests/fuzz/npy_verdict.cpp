// Prints ebm's reading of each .npy file named on the command line, one line per file, for
// numpy_agreement.py: "<path> ok <rows> <cols> <ndim> <values as hex bit patterns>" or "<path> error <message>".
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>

#include "ebm/core/error.hpp"
#include "ebm/io/npy.hpp"

int main(int argc, char** argv) {
  for (int k = 1; k < argc; ++k) {
    try {
      const ebm::Matrixd m = ebm::read_npy(argv[k]);
      std::printf("%s ok %ld %ld", argv[k], long(m.rows()), long(m.cols()));
      for (ebm::Index i = 0; i < m.size(); ++i) {
        std::uint64_t bits;
        std::memcpy(&bits, m.data() + i, 8);
        std::printf(" %016" PRIx64, bits);
      }
      std::printf("\n");
    } catch (const ebm::Error& e) {
      std::string what = e.what();
      for (char& c : what)
        if (c == '\n') c = ' ';
      std::printf("%s error %s\n", argv[k], what.c_str());
    }
  }
  return 0;
}
