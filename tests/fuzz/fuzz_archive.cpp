// Archive loader, end to end: the input is a whole archive file (text
// header + payload).  read_archive_header, then load_model<float|double>
// and load_checkpoint<float|double> on the same file.
//
// The payload's CRC-32 is checked before anything is deserialized, so
// mutations reach the deserializer only rarely here; fuzz_payload and
// fuzz_checkpoint_payload feed it directly.
#include "libebm/archive/archive_file.hpp"
#include "libebm/archive/checkpoint.hpp"
#include "libebm/archive/model_archive.hpp"
#include "libebm/error.hpp"
#include "tests/fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = ebm_fuzz::write_input(data, size, "input.ebm");
  try {
    (void)ebm::read_archive_header(path);
  } catch (const ebm::InputError&) {
    return 0;  // the loaders read the same header first and fail the same way
  }
  try {
    (void)ebm::load_model<float>(path);
  } catch (const ebm::InputError&) {
  }
  try {
    (void)ebm::load_model<double>(path);
  } catch (const ebm::InputError&) {
  }
  try {
    (void)ebm::load_checkpoint<float>(path);
  } catch (const ebm::InputError&) {
  }
  try {
    (void)ebm::load_checkpoint<double>(path);
  } catch (const ebm::InputError&) {
  }
  return 0;
}
