// The CSV reader: the input is the whole file, written to a temporary file
// and read with read_csv<float> (default options) and read_csv<double>
// (header line, ';' delimiter, limit 3).
#include "libebm/data/csv_reader.hpp"
#include "libebm/error.hpp"
#include "tests/fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = ebm_fuzz::write_input(data, size, "input.csv");
  try {
    (void)ebm::read_csv<float>(path);
  } catch (const ebm::InputError&) {
  }
  try {
    ebm::CsvOptions options;
    options.delimiter = ';';
    options.header = true;
    options.limit = 3;
    (void)ebm::read_csv<double>(path, options);
  } catch (const ebm::InputError&) {
  }
  return 0;
}
