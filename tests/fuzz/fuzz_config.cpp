// The experiment config parser: the input is the text of an INI config,
// given to parse_experiment_config (no overrides).  Byte-for-byte the text
// `ebm train` reads from a file, and what `--resume` reads from a
// checkpoint.
#include "libebm/config/experiment_config.hpp"
#include "libebm/error.hpp"
#include "tests/fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)ebm::parse_experiment_config("fuzz.ini", text, {});
  } catch (const ebm::InputError&) {
  }
  return 0;
}
