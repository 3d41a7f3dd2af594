// Shared helpers of the libFuzzer targets (tests/fuzz/fuzz_*.cpp).
//
// Contract checked by every target: for any input bytes, the API under test
// returns normally or throws ebm::InputError.  Any other exception escapes
// LLVMFuzzerTestOneInput, which libFuzzer reports as a crash ("deadly
// signal" after std::terminate), as it does for sanitizer reports, aborts
// and allocations above -malloc_limit_mb / -rss_limit_mb.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

namespace ebm_fuzz {

namespace detail {
// A plain array, not a std::string: the atexit handler below must not
// outlive the object it reads.
inline char scratch[4096];

inline void remove_scratch() {
  std::error_code ignored;
  if (scratch[0] != '\0') std::filesystem::remove_all(scratch, ignored);
}
}  // namespace detail

/// One temporary directory per fuzzer process ($TMPDIR or /tmp), removed at
/// a normal exit.
inline const char* scratch_dir() {
  if (detail::scratch[0] == '\0') {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/ebm-fuzz-XXXXXX";
    if (pattern.size() >= sizeof detail::scratch || ::mkdtemp(pattern.data()) == nullptr) {
      std::perror("ebm fuzz: mkdtemp");
      std::abort();
    }
    std::memcpy(detail::scratch, pattern.c_str(), pattern.size() + 1);
    std::atexit(detail::remove_scratch);
  }
  return detail::scratch;
}

/// Writes the input to <scratch dir>/<name> (the same file every run) and
/// returns its path.
inline std::string write_input(const std::uint8_t* data, std::size_t size, const char* name) {
  const std::string path = std::string(scratch_dir()) + "/" + name;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    std::perror("ebm fuzz: fopen");
    std::abort();
  }
  if (size > 0 && std::fwrite(data, 1, size, f) != size) {
    std::perror("ebm fuzz: fwrite");
    std::abort();
  }
  if (std::fclose(f) != 0) {
    std::perror("ebm fuzz: fclose");
    std::abort();
  }
  return path;
}

}  // namespace ebm_fuzz
