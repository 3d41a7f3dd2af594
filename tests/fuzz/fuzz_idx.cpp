// The IDX reader: the input is the whole file (plain or gzip-compressed;
// gzopen reads both), written to a temporary file and read with
// read_idx_images<float>, read_idx_images<double> (limit 2) and
// read_idx_labels.
#include "libebm/data/idx_reader.hpp"
#include "libebm/error.hpp"
#include "tests/fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = ebm_fuzz::write_input(data, size, "input.idx");
  try {
    (void)ebm::read_idx_images<float>(path);
  } catch (const ebm::InputError&) {
  }
  try {
    (void)ebm::read_idx_images<double>(path, 2);
  } catch (const ebm::InputError&) {
  }
  try {
    (void)ebm::read_idx_labels(path);
  } catch (const ebm::InputError&) {
  }
  return 0;
}
