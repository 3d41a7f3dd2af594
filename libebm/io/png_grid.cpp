#include "libebm/io/png_grid.hpp"

#include <png.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

#include "libebm/error.hpp"

namespace ebm {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& message) {
  throw InputError(located(path, 0, message));
}

std::string errno_text(int code) { return code != 0 ? std::strerror(code) : "unknown error"; }

// ---------------------------------------------------------------------------
// libpng glue.
//
// libpng reports errors by calling an error function that must not return;
// the classic API then longjmps back to a setjmp in the caller.  A longjmp
// that skips C++ destructors is undefined behaviour, so every setjmp lives in
// one of the small functions below, which hold only trivially destructible
// locals, never modify a local between setjmp and a libpng call, and return
// false with the message in an ErrorSink.  The callers turn that into an
// InputError once the stack is back in C++ land.

struct ErrorSink {
  char message[256] = "unknown libpng error";
};

void error_to_sink(png_structp png, png_const_charp message) {
  auto* sink = static_cast<ErrorSink*>(png_get_error_ptr(png));
  if (sink != nullptr) {
    std::snprintf(sink->message, sizeof sink->message, "%s",
                  message != nullptr ? message : "unknown libpng error");
  }
  png_longjmp(png, 1);
}

// Warnings (e.g. about ancillary chunks) are not worth a line on stderr.
void ignore_warning(png_structp, png_const_charp) {}

bool write_rows(png_structp png, png_infop info, std::FILE* file, png_uint_32 width,
                   png_uint_32 height, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_init_io(png, file);
  png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, info);
  return true;
}

bool read_header(png_structp png, png_infop info, std::FILE* file, png_uint_32* width,
                     png_uint_32* height, int* bit_depth, int* color_type) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_init_io(png, file);
  png_read_info(png, info);
  int interlace = 0, compression = 0, filter = 0;
  png_get_IHDR(png, info, width, height, bit_depth, color_type, &interlace, &compression,
               &filter);
  return true;
}

bool read_rows(png_structp png, png_infop info, int bit_depth, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  if (bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  png_read_image(png, rows);
  png_read_end(png, nullptr);
  return true;
}

class PngWriter {
 public:
  PngWriter()
      : png_(png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink_, error_to_sink,
                                     ignore_warning)) {
    if (png_ != nullptr) info_ = png_create_info_struct(png_);
  }
  ~PngWriter() {
    if (png_ != nullptr) png_destroy_write_struct(&png_, info_ != nullptr ? &info_ : nullptr);
  }
  PngWriter(const PngWriter&) = delete;
  PngWriter& operator=(const PngWriter&) = delete;
  bool ok() const { return png_ != nullptr && info_ != nullptr; }
  png_structp png() const { return png_; }
  png_infop info() const { return info_; }
  const char* message() const { return sink_.message; }

 private:
  ErrorSink sink_;
  png_structp png_ = nullptr;
  png_infop info_ = nullptr;
};

class PngReader {
 public:
  PngReader()
      : png_(png_create_read_struct(PNG_LIBPNG_VER_STRING, &sink_, error_to_sink,
                                    ignore_warning)) {
    if (png_ != nullptr) info_ = png_create_info_struct(png_);
  }
  ~PngReader() {
    if (png_ != nullptr) png_destroy_read_struct(&png_, info_ != nullptr ? &info_ : nullptr, nullptr);
  }
  PngReader(const PngReader&) = delete;
  PngReader& operator=(const PngReader&) = delete;
  bool ok() const { return png_ != nullptr && info_ != nullptr; }
  png_structp png() const { return png_; }
  png_infop info() const { return info_; }
  const char* message() const { return sink_.message; }

 private:
  ErrorSink sink_;
  png_structp png_ = nullptr;
  png_infop info_ = nullptr;
};

/// Owns a FILE*; close() reports errors, the destructor ignores them.
class File {
 public:
  File(const std::string& name, const char* mode) : file_(std::fopen(name.c_str(), mode)) {}
  ~File() {
    if (file_ != nullptr) std::fclose(file_);
  }
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  std::FILE* get() const { return file_; }
  /// Closes the file; returns 0 or an errno value.
  int close() {
    std::FILE* f = file_;
    file_ = nullptr;
    errno = 0;
    if (std::fclose(f) != 0) return errno != 0 ? errno : EIO;
    return 0;
  }

 private:
  std::FILE* file_;
};

/// The temporary file next to the destination, removed unless committed.
class TempPath {
 public:
  explicit TempPath(std::string name) : name_(std::move(name)) {}
  ~TempPath() {
    if (!committed_) std::remove(name_.c_str());
  }
  TempPath(const TempPath&) = delete;
  TempPath& operator=(const TempPath&) = delete;
  const std::string& name() const { return name_; }
  void commit() { committed_ = true; }

 private:
  std::string name_;
  bool committed_ = false;
};

// ---------------------------------------------------------------------------
// Grid layout.

/// floor(sqrt(n)), exact for all 64-bit n.
std::uint64_t isqrt(std::uint64_t n) {
  auto r = static_cast<std::uint64_t>(std::sqrt(static_cast<double>(n)));
  while (r > 0 && (r > n / r || r * r > n)) --r;
  while ((r + 1) <= n / (r + 1)) ++r;
  return r;
}

std::string shape_text(arma::uword rows, arma::uword cols) {
  return std::to_string(rows) + "x" + std::to_string(cols);
}

struct Layout {
  arma::uword image_rows, image_cols, grid_rows, grid_cols, padding;
  png_uint_32 width, height;
};

Layout layout_for(const std::string& path, arma::uword n_rows, arma::uword n_images,
                  const GridOptions& options) {
  if (n_images == 0 || n_rows == 0) {
    fail(path, "no images to write: the matrix is " + shape_text(n_rows, n_images) +
                   ", expected at least one column (image) of at least one row (pixel)");
  }
  Layout l{};
  l.image_rows = options.image_rows;
  l.image_cols = options.image_cols;
  if (l.image_rows == 0 && l.image_cols == 0) {
    const std::uint64_t side = isqrt(n_rows);
    if (side * side != n_rows) {
      fail(path, "image shape not given and " + std::to_string(n_rows) +
                     " pixels per image is not a perfect square; set image_rows and image_cols");
    }
    l.image_rows = l.image_cols = side;
  } else if (l.image_rows == 0 || l.image_cols == 0) {
    const arma::uword known = l.image_rows != 0 ? l.image_rows : l.image_cols;
    if (n_rows % known != 0) {
      fail(path, "image shape " + shape_text(options.image_rows, options.image_cols) +
                     " does not fit " + std::to_string(n_rows) + " pixels per image: " +
                     std::to_string(known) + " does not divide " + std::to_string(n_rows));
    }
    (l.image_rows != 0 ? l.image_cols : l.image_rows) = n_rows / known;
  } else if (l.image_rows > n_rows / l.image_cols || l.image_rows * l.image_cols != n_rows) {
    fail(path, "image shape " + shape_text(l.image_rows, l.image_cols) +
                   " does not fit the data: each column has " + std::to_string(n_rows) +
                   " pixels, expected image_rows * image_cols = " + std::to_string(n_rows));
  }

  l.grid_cols = options.grid_cols;
  if (l.grid_cols == 0) {
    l.grid_cols = isqrt(n_images);
    if (l.grid_cols * l.grid_cols < n_images) ++l.grid_cols;
  }
  l.grid_rows = n_images / l.grid_cols + (n_images % l.grid_cols != 0 ? 1 : 0);
  l.padding = options.padding;

  // Sizes in long double arithmetic cannot overflow; libpng refuses images
  // beyond its user limits anyway, but we check before allocating the pixels.
  const auto extent = [&](arma::uword cells, arma::uword cell) {
    return static_cast<long double>(cells) * cell + static_cast<long double>(cells - 1) * l.padding;
  };
  const long double width = extent(l.grid_cols, l.image_cols);
  const long double height = extent(l.grid_rows, l.image_rows);
  const long double max_width = PNG_USER_WIDTH_MAX, max_height = PNG_USER_HEIGHT_MAX;
  if (width > max_width || height > max_height) {
    fail(path, "grid of " + std::to_string(l.grid_rows) + "x" + std::to_string(l.grid_cols) +
                   " images of " + shape_text(l.image_rows, l.image_cols) + " pixels with padding " +
                   std::to_string(l.padding) + " is " + std::to_string(static_cast<unsigned long long>(height)) +
                   "x" + std::to_string(static_cast<unsigned long long>(width)) +
                   " pixels, expected at most " + std::to_string(PNG_USER_HEIGHT_MAX) + "x" +
                   std::to_string(PNG_USER_WIDTH_MAX));
  }
  l.width = static_cast<png_uint_32>(width);
  l.height = static_cast<png_uint_32>(height);
  return l;
}

unsigned char to_gray(double v) {
  if (std::isnan(v)) return 0;
  v = std::clamp(v, 0.0, 1.0);
  return static_cast<unsigned char>(std::round(255.0 * v));
}

/// Gray levels of one image (a column of `n` values).
template <typename eT>
void image_to_gray(const eT* values, arma::uword n, bool normalize, unsigned char* out) {
  if (!normalize) {
    for (arma::uword i = 0; i < n; ++i) out[i] = to_gray(static_cast<double>(values[i]));
    return;
  }
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (arma::uword i = 0; i < n; ++i) {
    const double v = static_cast<double>(values[i]);
    if (std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  // Halved so that hi - lo cannot overflow; halving is exact for all but
  // subnormal values, so this is (v - lo) / (hi - lo).
  const double half_range = hi / 2 - lo / 2;
  for (arma::uword i = 0; i < n; ++i) {
    const double v = static_cast<double>(values[i]);
    // A constant image (or one without finite values) comes out all 0.
    out[i] = half_range > 0 ? to_gray((v / 2 - lo / 2) / half_range) : 0;
  }
}

}  // namespace

template <typename eT>
void write_png_grid(const std::string& path, const arma::Mat<eT>& images, const GridOptions& options) {
  const Layout l = layout_for(path, images.n_rows, images.n_cols, options);

  std::vector<unsigned char> pixels(std::size_t(l.width) * l.height, options.background);
  std::vector<unsigned char> gray(images.n_rows);
  for (arma::uword k = 0; k < images.n_cols; ++k) {
    image_to_gray(images.colptr(k), images.n_rows, options.normalize_each, gray.data());
    const std::size_t top = (k / l.grid_cols) * (l.image_rows + l.padding);
    const std::size_t left = (k % l.grid_cols) * (l.image_cols + l.padding);
    for (arma::uword r = 0; r < l.image_rows; ++r) {
      std::copy_n(gray.data() + r * l.image_cols, l.image_cols,
                  pixels.data() + (top + r) * l.width + left);
    }
  }
  std::vector<png_bytep> rows(l.height);
  for (std::size_t r = 0; r < l.height; ++r) rows[r] = pixels.data() + r * l.width;

  TempPath temp(path + ".tmp." + std::to_string(::getpid()));
  File file(temp.name(), "wb");
  if (file.get() == nullptr) {
    fail(path, "cannot create temporary file " + temp.name() + ": " + errno_text(errno));
  }
  {
    PngWriter writer;
    if (!writer.ok()) fail(path, "cannot set up libpng: out of memory");
    if (!write_rows(writer.png(), writer.info(), file.get(), l.width, l.height, rows.data())) {
      fail(path, std::string("libpng error while writing ") + temp.name() + ": " + writer.message());
    }
  }
  errno = 0;
  if (std::fflush(file.get()) != 0 || std::ferror(file.get()) != 0) {
    fail(path, "cannot write " + temp.name() + ": " + errno_text(errno));
  }
  if (::fsync(::fileno(file.get())) != 0) {
    fail(path, "cannot write " + temp.name() + " to disk: " + errno_text(errno));
  }
  if (const int code = file.close(); code != 0) {
    fail(path, "cannot close " + temp.name() + ": " + errno_text(code));
  }
  if (std::rename(temp.name().c_str(), path.c_str()) != 0) {
    fail(path, "cannot rename " + temp.name() + " to it: " + errno_text(errno));
  }
  temp.commit();
}

arma::Mat<unsigned char> read_png_gray(const std::string& path) {
  File file(path, "rb");
  if (file.get() == nullptr) fail(path, "cannot open: " + errno_text(errno));

  unsigned char signature[8] = {};
  const std::size_t got = std::fread(signature, 1, sizeof signature, file.get());
  if (got != sizeof signature || png_sig_cmp(signature, 0, sizeof signature) != 0) {
    fail(path, "not a PNG file (bad signature)");
  }

  PngReader reader;
  if (!reader.ok()) fail(path, "cannot set up libpng: out of memory");
  png_set_sig_bytes(reader.png(), sizeof signature);
  png_uint_32 width = 0, height = 0;
  int bit_depth = 0, color_type = 0;
  if (!read_header(reader.png(), reader.info(), file.get(), &width, &height, &bit_depth,
                       &color_type)) {
    fail(path, std::string("corrupt PNG: ") + reader.message() +
                   (std::feof(file.get()) ? " (the file ends early)" : ""));
  }
  if (color_type != PNG_COLOR_TYPE_GRAY || bit_depth > 8) {
    fail(path, "PNG has color type " + std::to_string(color_type) + " and bit depth " +
                   std::to_string(bit_depth) + ", expected grayscale (color type " +
                   std::to_string(PNG_COLOR_TYPE_GRAY) + ") of bit depth 8 or less");
  }

  std::vector<unsigned char> pixels(std::size_t(width) * height);
  std::vector<png_bytep> rows(height);
  for (std::size_t r = 0; r < height; ++r) rows[r] = pixels.data() + r * width;
  if (!read_rows(reader.png(), reader.info(), bit_depth, rows.data())) {
    fail(path, std::string("corrupt PNG: ") + reader.message() +
                   (std::feof(file.get()) ? " (the file ends early)" : ""));
  }

  arma::Mat<unsigned char> out(height, width);
  for (std::size_t r = 0; r < height; ++r)
    for (std::size_t c = 0; c < width; ++c) out(r, c) = pixels[r * width + c];
  return out;
}

template void write_png_grid<float>(const std::string&, const arma::Mat<float>&, const GridOptions&);
template void write_png_grid<double>(const std::string&, const arma::Mat<double>&, const GridOptions&);

}  // namespace ebm
