#include "libebm/data/idx_reader.hpp"

#include <zlib.h>

#include <algorithm>
#include <fstream>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "libebm/error.hpp"

namespace ebm {

namespace {

// A header that promises more than this is corrupt (or not IDX at all); we
// refuse it instead of trying to allocate it.  16 GiB is far beyond any data
// set this library is meant for.
constexpr std::uint64_t max_data_bytes = std::uint64_t(1) << 34;

// gzread takes an unsigned length and returns an int, so large reads go in
// chunks that fit both.
constexpr std::size_t max_chunk = std::size_t(1) << 30;

std::string hex_byte(unsigned value) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02X", value & 0xFFu);
  return text;
}

/// "1 byte", "8 bytes": messages read naturally for any count.
std::string count_of(std::uint64_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

/// "file ends after 7 of 8 bytes of <what>".
std::string ends_early(std::uint64_t got, std::uint64_t wanted, const std::string& what) {
  return "file ends after " + std::to_string(got) + " of " + std::to_string(wanted) +
         " bytes of " + what;
}

[[noreturn]] void fail(const std::string& path, const std::string& message) {
  throw InputError(located(path, 0, message));
}

// Owns a gzFile; gzopen reads uncompressed files too (transparent mode), so
// one code path serves both .gz and plain IDX files.
class GzFile {
 public:
  explicit GzFile(const std::string& path) : path_(path) {
    errno = 0;
    file_ = gzopen(path.c_str(), "rb");
    if (file_ == nullptr) {
      fail(path, std::string("cannot open: ") +
                     (errno != 0 ? std::strerror(errno) : "out of memory"));
    }
    // A bigger buffer than zlib's 8 KiB default roughly halves the time
    // spent in read calls for the 47 MB MNIST training images.
    gzbuffer(file_, 1 << 17);
  }
  ~GzFile() { gzclose(file_); }
  GzFile(const GzFile&) = delete;
  GzFile& operator=(const GzFile&) = delete;

  /// Reads up to `n` bytes into `out`; returns how many were read (fewer only
  /// at the end of the file).  Throws on read or decompression errors.
  std::size_t read(unsigned char* out, std::size_t n) {
    std::size_t done = 0;
    while (done < n) {
      const std::size_t chunk = std::min(n - done, max_chunk);
      const int got = gzread(file_, out + done, static_cast<unsigned>(chunk));
      if (got < 0) {
        int code = Z_OK;
        const char* message = gzerror(file_, &code);
        fail(path_, std::string("read error: ") +
                        (code == Z_ERRNO ? std::strerror(errno) : message));
      }
      if (got == 0) break;
      done += static_cast<std::size_t>(got);
    }
    return done;
  }

  /// Reads exactly `n` bytes of `what`, or throws saying how many there were.
  void read_exactly(unsigned char* out, std::size_t n, const std::string& what) {
    const std::size_t got = read(out, n);
    if (got != n) fail(path_, ends_early(got, n, what));
  }

 private:
  std::string path_;
  gzFile file_ = nullptr;
};

struct IdxHeader {
  unsigned type_code = 0;
  std::size_t element_size = 0;
  std::vector<std::uint32_t> dims;
  std::uint64_t n_samples = 0;
  std::uint64_t sample_size = 1;  ///< elements per sample: product of dims[1..]
};

std::size_t element_size_of(unsigned type_code) {
  switch (type_code) {
    case 0x08: return 1;  // unsigned byte
    case 0x09: return 1;  // signed byte
    case 0x0B: return 2;  // int16
    case 0x0C: return 4;  // int32
    case 0x0D: return 4;  // float32
    case 0x0E: return 8;  // float64
    default: return 0;
  }
}

std::uint32_t big_endian_u32(const unsigned char* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) |
         (std::uint32_t(p[2]) << 8) | std::uint32_t(p[3]);
}

IdxHeader read_header(GzFile& file, const std::string& path) {
  unsigned char magic[4];
  file.read_exactly(magic, 4, "the IDX magic number");
  if (magic[0] != 0 || magic[1] != 0) {
    fail(path, "bad IDX magic number " + hex_byte(magic[0]) + " " + hex_byte(magic[1]) + " " +
                   hex_byte(magic[2]) + " " + hex_byte(magic[3]) +
                   ", expected 0x00 0x00 <type code> <number of dims>");
  }
  IdxHeader header;
  header.type_code = magic[2];
  header.element_size = element_size_of(header.type_code);
  if (header.element_size == 0) {
    fail(path, "unknown IDX type code " + hex_byte(header.type_code) +
                   ", expected one of 0x08 0x09 0x0B 0x0C 0x0D 0x0E");
  }
  const unsigned n_dims = magic[3];
  if (n_dims == 0) fail(path, "IDX header has 0 dimensions, expected at least 1");

  std::vector<unsigned char> raw(4 * std::size_t(n_dims));
  file.read_exactly(raw.data(), raw.size(),
                    "the header's " + count_of(n_dims, "dimension size"));
  header.dims.resize(n_dims);
  for (unsigned d = 0; d < n_dims; ++d) header.dims[d] = big_endian_u32(&raw[4 * d]);

  // Sizes are multiplied only while they stay under the byte limit, checked
  // before each step, so nothing overflows however absurd the header is.  The
  // per-sample size is bounded too: with 0 samples it could be huge while the
  // total is 0.
  header.n_samples = header.dims[0];
  std::uint64_t sample_bytes = header.element_size;
  bool too_big = false;
  for (unsigned d = 1; d < n_dims && !too_big; ++d) {
    if (header.dims[d] != 0 && sample_bytes > max_data_bytes / header.dims[d]) {
      too_big = true;
    } else {
      sample_bytes *= header.dims[d];
      header.sample_size *= header.dims[d];
    }
  }
  if (!too_big && header.n_samples != 0 && sample_bytes > max_data_bytes / header.n_samples) {
    too_big = true;
  }
  if (too_big) {
    std::string shape;
    for (unsigned d = 0; d < n_dims; ++d) {
      shape += (d ? " x " : "") + std::to_string(header.dims[d]);
    }
    fail(path, "IDX header promises " + shape + " elements of " +
                   count_of(header.element_size, "byte") + ", more than the " +
                   std::to_string(max_data_bytes) + "-byte limit (corrupt header?)");
  }
  return header;
}

// Reads the first n_keep samples in 4 MiB chunks, handing each chunk's
// elements to `take(bytes, first_element, n_elements)`.  Big gzread calls
// keep zlib fast; converting chunk by chunk (instead of reading all bytes
// first) avoids a second whole-data-set buffer and keeps the bytes in cache.
template <typename Take>
void read_samples(GzFile& file, const std::string& path, const IdxHeader& header,
                  std::uint64_t n_keep, Take&& take) {
  const std::size_t element_size = header.element_size;
  const std::uint64_t n_elements = n_keep * header.sample_size;
  const std::size_t chunk_elements = (std::size_t(1) << 22) / element_size;
  std::vector<unsigned char> buffer(
      static_cast<std::size_t>(std::min<std::uint64_t>(n_elements, chunk_elements)) * element_size);
  for (std::uint64_t done = 0; done < n_elements;) {
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(chunk_elements, n_elements - done));
    const std::size_t got = file.read(buffer.data(), n * element_size);
    if (got != n * element_size) {
      fail(path, ends_early(done * element_size + got, n_elements * element_size,
                            "data (" + count_of(n_keep, "sample") + " x " +
                                count_of(header.sample_size, "element") + " of " +
                                count_of(element_size, "byte") + ")"));
    }
    take(buffer.data(), static_cast<std::size_t>(done), n);
    done += n;
  }
}

template <typename eT>
void convert(const IdxHeader& header, const unsigned char* in, std::size_t n, eT* out) {
  switch (header.type_code) {
    case 0x08: {
      // Pixel intensities: scale to [0, 1] as the models expect.  A table of
      // the 256 exact quotients b / 255 is as fast as multiplying by 1/255
      // and, unlike that, gives exactly 1 for 255 and the correctly rounded
      // value for every other byte.
      eT scaled[256];
      for (unsigned b = 0; b < 256; ++b) scaled[b] = eT(b) / eT(255);
      for (std::size_t i = 0; i < n; ++i) out[i] = scaled[in[i]];
      break;
    }
    case 0x09:
      for (std::size_t i = 0; i < n; ++i) out[i] = eT(static_cast<std::int8_t>(in[i]));
      break;
    case 0x0B:
      for (std::size_t i = 0; i < n; ++i, in += 2) {
        const auto bits = static_cast<std::uint16_t>((in[0] << 8) | in[1]);
        out[i] = eT(static_cast<std::int16_t>(bits));
      }
      break;
    case 0x0C:
      for (std::size_t i = 0; i < n; ++i, in += 4) {
        out[i] = eT(static_cast<std::int32_t>(big_endian_u32(in)));
      }
      break;
    case 0x0D:
      for (std::size_t i = 0; i < n; ++i, in += 4) {
        const std::uint32_t bits = big_endian_u32(in);
        float value;
        std::memcpy(&value, &bits, sizeof value);
        out[i] = eT(value);
      }
      break;
    case 0x0E:
      for (std::size_t i = 0; i < n; ++i, in += 8) {
        const std::uint64_t bits = (std::uint64_t(big_endian_u32(in)) << 32) | big_endian_u32(in + 4);
        double value;
        std::memcpy(&value, &bits, sizeof value);
        out[i] = eT(value);
      }
      break;
  }
}

/// The file's uncompressed size when it can be known without reading it:
/// the size of a plain file, or a gzip file's ISIZE trailer (the
/// uncompressed length modulo 2^32); -1 when unknown.  `file_size` is the
/// size on disk.
long long uncompressed_size(const std::string& path, bool& compressed, long long& file_size) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return -1;
  unsigned char magic[2] = {0, 0};
  in.read(reinterpret_cast<char*>(magic), 2);
  in.seekg(0, std::ios::end);
  const long long size = in.tellg();
  file_size = size;
  compressed = magic[0] == 0x1f && magic[1] == 0x8b;
  if (!compressed) return size;
  if (size < 18) return -1;
  unsigned char trailer[4];
  in.seekg(size - 4);
  if (!in.read(reinterpret_cast<char*>(trailer), 4)) return -1;
  return (long long)(std::uint32_t(trailer[0]) | std::uint32_t(trailer[1]) << 8 | std::uint32_t(trailer[2]) << 16 |
                     std::uint32_t(trailer[3]) << 24);
}

/// Fails before any allocation when the file is too short for what its
/// header promises (a corrupt header must not become a huge allocation).
void check_promised_size(const std::string& path, const IdxHeader& header, std::uint64_t n_keep) {
  const std::uint64_t header_bytes = 4 + 4 * std::uint64_t(header.dims.size());
  const std::uint64_t data_bytes = n_keep * header.sample_size * header.element_size;
  const std::uint64_t needed = header_bytes + data_bytes;
  bool compressed = false;
  long long file_size = 0;
  const long long known = uncompressed_size(path, compressed, file_size);
  if (compressed && file_size >= 0) {
    // DEFLATE expands at most 1032:1 (one 258-byte match per 2 bits at
    // best), so a gzip file cannot hold more than that many times its own
    // size, whatever its ISIZE trailer says (ISIZE is the length modulo
    // 2^32, so it cannot rule out a promise of 4 GiB or more; fuzz finding
    // F12, docs/fuzzing.md).
    const std::uint64_t most = 1032 * std::uint64_t(file_size);
    if (needed > most)
      fail(path, "its header promises " + std::to_string(needed) + " bytes, more than a gzip file of " +
                     std::to_string(file_size) + " bytes can hold (at most " + std::to_string(most) + ")");
  }
  if (known < 0) return;
  if (compressed && needed >= (std::uint64_t(1) << 32)) return;  // ISIZE is modulo 2^32: no check possible
  if (needed > std::uint64_t(known))
    fail(path, ends_early(std::uint64_t(known) - std::min<std::uint64_t>(header_bytes, std::uint64_t(known)), data_bytes,
                          "data (" + count_of(n_keep, "sample") + " x " + count_of(header.sample_size, "element") +
                              " of " + count_of(header.element_size, "byte") + ")"));
}

std::uint64_t kept_samples(const IdxHeader& header, std::size_t limit) {
  // A limit beyond the file's size keeps everything, as for read_csv, so a
  // config can say "at most N" without knowing each file's length.
  return limit == 0 ? header.n_samples : std::min<std::uint64_t>(header.n_samples, limit);
}

}  // namespace

template <typename eT>
arma::Mat<eT> read_idx_images(const std::string& path, std::size_t limit) {
  GzFile file(path);
  const IdxHeader header = read_header(file, path);
  const std::uint64_t n_keep = kept_samples(header, limit);
  check_promised_size(path, header, n_keep);
  // Samples are contiguous in the file and columns are contiguous in an
  // Armadillo matrix, so the row-major flattening is a straight copy.
  arma::Mat<eT> images;
  try {
    images.set_size(static_cast<arma::uword>(header.sample_size), static_cast<arma::uword>(n_keep));
  } catch (const std::bad_alloc&) {
    fail(path, "cannot allocate the " + std::to_string(n_keep) + " samples its header promises");
  }
  eT* out = images.memptr();
  read_samples(file, path, header, n_keep,
               [&](const unsigned char* bytes, std::size_t first, std::size_t n) {
                 convert(header, bytes, n, out + first);
               });
  return images;
}

arma::urowvec read_idx_labels(const std::string& path, std::size_t limit) {
  GzFile file(path);
  const IdxHeader header = read_header(file, path);
  if (header.type_code != 0x08 || header.dims.size() != 1) {
    fail(path, "not an IDX label file: type code " + hex_byte(header.type_code) + " and " +
                   count_of(header.dims.size(), "dimension") +
                   ", expected type code 0x08 and 1 dimension");
  }
  const std::uint64_t n_keep = kept_samples(header, limit);
  check_promised_size(path, header, n_keep);
  arma::urowvec labels(static_cast<arma::uword>(n_keep));
  read_samples(file, path, header, n_keep,
               [&](const unsigned char* bytes, std::size_t first, std::size_t n) {
                 for (std::size_t i = 0; i < n; ++i) labels[first + i] = bytes[i];
               });
  return labels;
}

template arma::Mat<float> read_idx_images<float>(const std::string&, std::size_t);
template arma::Mat<double> read_idx_images<double>(const std::string&, std::size_t);

}  // namespace ebm
