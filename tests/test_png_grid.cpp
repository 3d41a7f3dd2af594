#define BOOST_TEST_MODULE png_grid
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <tuple>
#include <typeinfo>
#include <vector>

#include "libebm/error.hpp"
#include "libebm/io/png_grid.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace {

// A fresh directory per test case, removed afterwards, so tests can run in
// parallel (ctest -j) and leave nothing behind.
struct TempDir : test::TempDir {
  TempDir() : test::TempDir("ebm_test_png_grid") {}

  /// The names of the entries in the directory (not recursive), sorted and
  /// separated by spaces: "" when empty.
  std::string listing() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    std::string out;
    for (const auto& name : names) out += (out.empty() ? "" : " ") + name;
    return out;
  }
};

/// Checks that `action` throws InputError whose one-line message contains
/// every string in `parts`.
void require_input_error(const std::function<void()>& action, const std::vector<std::string>& parts) {
  try {
    action();
  } catch (const ebm::InputError& e) {
    const std::string message = e.what();
    BOOST_TEST_MESSAGE("InputError: " << message);
    BOOST_CHECK(message.find('\n') == std::string::npos);
    for (const auto& part : parts) {
      BOOST_CHECK_MESSAGE(message.find(part) != std::string::npos,
                          "message '" << message << "' lacks '" << part << "'");
    }
    return;
  } catch (const std::exception& e) {
    BOOST_FAIL("expected InputError, got " << typeid(e).name() << ": " << e.what());
  }
  BOOST_FAIL("expected InputError, nothing was thrown");
}

/// round(255 * clamp(v, 0, 1)), written out independently of the library.
int expected_gray(double v) {
  if (v <= 0) return 0;
  if (v >= 1) return 255;
  return int(std::lround(255.0 * v));
}

/// Checks a PNG grid pixel by pixel: image k (column k of `images`, pixel
/// (r, c) at element r * image_cols + c) sits in grid cell (k / grid_cols,
/// k % grid_cols); all other pixels are `background`.  `gray(k, i)` is the
/// expected gray level of element i of image k.
void check_grid(const arma::Mat<unsigned char>& png, arma::uword n_images, arma::uword image_rows,
                arma::uword image_cols, arma::uword grid_cols, arma::uword padding, int background,
                const std::function<int(arma::uword, arma::uword)>& gray) {
  const arma::uword grid_rows = (n_images + grid_cols - 1) / grid_cols;
  BOOST_REQUIRE_EQUAL(png.n_cols, grid_cols * image_cols + (grid_cols - 1) * padding);
  BOOST_REQUIRE_EQUAL(png.n_rows, grid_rows * image_rows + (grid_rows - 1) * padding);
  std::vector<int> expected(png.n_elem, background);  // column-major, like png
  for (arma::uword k = 0; k < n_images; ++k) {
    const arma::uword top = (k / grid_cols) * (image_rows + padding);
    const arma::uword left = (k % grid_cols) * (image_cols + padding);
    for (arma::uword r = 0; r < image_rows; ++r)
      for (arma::uword c = 0; c < image_cols; ++c)
        expected[(left + c) * png.n_rows + top + r] = gray(k, r * image_cols + c);
  }
  for (arma::uword y = 0; y < png.n_rows; ++y)
    for (arma::uword x = 0; x < png.n_cols; ++x)
      BOOST_CHECK_MESSAGE(int(png(y, x)) == expected[x * png.n_rows + y],
                          "pixel (" << y << ", " << x << ") is " << int(png(y, x)) << ", expected "
                                    << expected[x * png.n_rows + y]);
}

/// `n` images of `pixels` pixels, all values distinct and in (0, 1), none
/// close to a rounding tie when scaled by 255: 0.025 * m + 0.01.
template <typename eT>
arma::Mat<eT> distinct_images(arma::uword pixels, arma::uword n) {
  arma::Mat<eT> images(pixels, n);
  for (arma::uword m = 0; m < images.n_elem; ++m) images(m) = eT(0.025 * double(m) + 0.01);
  return images;
}

using RealTypes = std::tuple<float, double>;

}  // namespace

BOOST_AUTO_TEST_CASE_TEMPLATE(grid_layout_and_pixel_values, eT, RealTypes) {
  TempDir tmp;
  const std::string path = tmp.path("grid.png");
  const arma::Mat<eT> images = distinct_images<eT>(6, 6);  // 6 images of 2x3
  ebm::GridOptions options;
  options.image_rows = 2;
  options.image_cols = 3;
  options.background = 77;
  ebm::write_png_grid(path, images, options);  // grid_cols 0: ceil(sqrt(6)) = 3
  const auto png = ebm::read_png_gray(path);
  BOOST_CHECK_EQUAL(png.n_cols, 3u * 3 + 2 * 1);
  BOOST_CHECK_EQUAL(png.n_rows, 2u * 2 + 1 * 1);
  check_grid(png, 6, 2, 3, 3, 1, 77,
             [&](arma::uword k, arma::uword i) { return expected_gray(double(images(i, k))); });
  // Only the PNG: the temporary file was renamed.
  BOOST_CHECK_EQUAL(tmp.listing(), "grid.png");
}

BOOST_AUTO_TEST_CASE(pixels_are_row_major) {
  TempDir tmp;
  const std::string path = tmp.path("one.png");
  arma::mat image(6, 1);
  image.col(0) = arma::vec{0.0, 0.2, 0.4, 0.6, 0.8, 1.0};  // rows {0, .2, .4} and {.6, .8, 1}
  ebm::GridOptions options;
  options.image_rows = 2;
  options.image_cols = 3;
  ebm::write_png_grid(path, image, options);
  const auto png = ebm::read_png_gray(path);
  BOOST_REQUIRE_EQUAL(png.n_rows, 2u);
  BOOST_REQUIRE_EQUAL(png.n_cols, 3u);
  const int expected[2][3] = {{0, 51, 102}, {153, 204, 255}};
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 3; ++c) BOOST_CHECK_EQUAL(int(png(r, c)), expected[r][c]);
}

BOOST_AUTO_TEST_CASE(partial_last_row_padding_and_explicit_grid_cols) {
  TempDir tmp;
  const auto images = distinct_images<double>(6, 5);
  for (arma::uword padding : {0u, 1u, 3u}) {
    const std::string path = tmp.path("grid" + std::to_string(padding) + ".png");
    ebm::GridOptions options;
    options.image_rows = 3;  // 3x2 this time
    options.image_cols = 2;
    options.grid_cols = 2;  // 3 grid rows, the last one half empty
    options.padding = padding;
    options.background = 200;
    ebm::write_png_grid(path, images, options);
    const auto png = ebm::read_png_gray(path);
    BOOST_TEST_CONTEXT("padding " << padding) {
      check_grid(png, 5, 3, 2, 2, padding, 200,
                 [&](arma::uword k, arma::uword i) { return expected_gray(images(i, k)); });
    }
  }
}

BOOST_AUTO_TEST_CASE(square_images_by_default) {
  TempDir tmp;
  const std::string path = tmp.path("square.png");
  const auto images = distinct_images<float>(9, 4);  // 4 images of 3x3
  ebm::write_png_grid(path, images);                 // grid 2x2, padding 1, background 0
  const auto png = ebm::read_png_gray(path);
  BOOST_CHECK_EQUAL(png.n_rows, 7u);
  BOOST_CHECK_EQUAL(png.n_cols, 7u);
  check_grid(png, 4, 3, 3, 2, 1, 0,
             [&](arma::uword k, arma::uword i) { return expected_gray(double(images(i, k))); });

  // One side given: the other is inferred.
  ebm::GridOptions options;
  options.image_rows = 1;
  options.grid_cols = 4;
  options.padding = 0;
  ebm::write_png_grid(path, images, options);
  const auto strip = ebm::read_png_gray(path);
  BOOST_CHECK_EQUAL(strip.n_rows, 1u);
  BOOST_CHECK_EQUAL(strip.n_cols, 36u);
}

BOOST_AUTO_TEST_CASE(values_outside_unit_interval_are_clamped) {
  TempDir tmp;
  const std::string path = tmp.path("clamp.png");
  arma::mat image(7, 1);
  image.col(0) = arma::vec{-0.5, -1e30, 0.2, 1.7, 1e30, 1.0, arma::datum::nan};
  ebm::GridOptions options;
  options.image_rows = 1;
  options.image_cols = 7;
  ebm::write_png_grid(path, image, options);
  const auto png = ebm::read_png_gray(path);
  BOOST_REQUIRE_EQUAL(png.n_rows, 1u);
  BOOST_REQUIRE_EQUAL(png.n_cols, 7u);
  const int expected[7] = {0, 0, 51, 255, 255, 255, 0};  // NaN is drawn as 0
  for (int c = 0; c < 7; ++c) BOOST_CHECK_EQUAL(int(png(0, c)), expected[c]);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(normalize_each_maps_min_to_0_and_max_to_255, eT, RealTypes) {
  TempDir tmp;
  const std::string path = tmp.path("filters.png");
  arma::Mat<eT> filters(4, 3);
  filters.col(0) = arma::Col<eT>{-2, 0, 3, 1};         // range -2..3
  filters.col(1) = arma::Col<eT>{0.25, 0.5, 0.3, 0.45};  // range .25..0.5, inside [0, 1]
  filters.col(2) = arma::Col<eT>{7, 7, 7, 7};          // constant: all 0
  ebm::GridOptions options;
  options.normalize_each = true;  // 2x2 images, grid 2 columns
  options.background = 128;
  ebm::write_png_grid(path, filters, options);
  const auto png = ebm::read_png_gray(path);
  check_grid(png, 3, 2, 2, 2, 1, 128, [&](arma::uword k, arma::uword i) {
    if (k == 2) return 0;
    const double lo = double(filters.col(k).min()), hi = double(filters.col(k).max());
    return int(std::lround(255.0 * (double(filters(i, k)) - lo) / (hi - lo)));
  });
  // Spot checks of the mapping itself.
  BOOST_CHECK_EQUAL(int(png(0, 0)), 0);      // -2, the minimum
  BOOST_CHECK_EQUAL(int(png(1, 0)), 255);    // 3, the maximum
  BOOST_CHECK_EQUAL(int(png(0, 1)), 102);    // 0: 2/5 of the way
  BOOST_CHECK_EQUAL(int(png(0, 3)), 0);      // .25, the minimum of image 1
  BOOST_CHECK_EQUAL(int(png(0, 4)), 255);    // .5, its maximum
}

BOOST_AUTO_TEST_CASE(overwrites_an_existing_file) {
  TempDir tmp;
  const std::string path = tmp.path("grid.png");
  ebm::GridOptions options;
  options.image_rows = options.image_cols = 1;
  ebm::write_png_grid(path, arma::mat(1, 1, arma::fill::zeros), options);
  ebm::write_png_grid(path, arma::mat(1, 1, arma::fill::ones), options);
  const auto png = ebm::read_png_gray(path);
  BOOST_REQUIRE_EQUAL(png.n_elem, 1u);
  BOOST_CHECK_EQUAL(int(png(0, 0)), 255);
  BOOST_CHECK_EQUAL(tmp.listing(), "grid.png");
}

BOOST_AUTO_TEST_CASE(shape_mismatch_throws_naming_the_file) {
  TempDir tmp;
  const std::string path = tmp.path("bad.png");
  const auto images = distinct_images<double>(7, 2);
  ebm::GridOptions options;
  options.image_rows = 2;
  options.image_cols = 3;
  require_input_error([&] { ebm::write_png_grid(path, images, options); }, {path, "2x3", "7"});
  // Not a perfect square, shape not given.
  require_input_error([&] { ebm::write_png_grid(path, images); }, {path, "7", "perfect square"});
  // One side given that does not divide the number of pixels.
  options.image_cols = 0;
  require_input_error([&] { ebm::write_png_grid(path, images, options); }, {path, "7"});
  // No images at all.
  require_input_error([&] { ebm::write_png_grid(path, arma::mat(4, 0)); }, {path});
  // A grid larger than libpng accepts is refused before allocating it.
  ebm::GridOptions wide;
  wide.image_rows = 1;
  wide.image_cols = 7;
  wide.grid_cols = 2;
  wide.padding = 2000000;
  require_input_error([&] { ebm::write_png_grid(path, images, wide); }, {path});
  BOOST_CHECK_EQUAL(tmp.listing(), "");
}

BOOST_AUTO_TEST_CASE(unwritable_destinations_throw_and_leave_no_temporary_file) {
  TempDir tmp;
  const auto images = distinct_images<float>(4, 2);
  // A missing directory: the temporary file cannot be created.
  const std::string missing = tmp.path("no_such_dir/grid.png");
  require_input_error([&] { ebm::write_png_grid(missing, images); }, {missing});
  // The destination is a directory: the PNG is written, the rename fails and
  // the temporary file must be cleaned up.
  const std::string dir = tmp.path("taken.png");
  fs::create_directories(fs::path(dir) / "inside");
  require_input_error([&] { ebm::write_png_grid(dir, images); }, {dir});
  BOOST_CHECK_EQUAL(tmp.listing(), "taken.png");
  BOOST_CHECK(fs::is_directory(fs::path(dir) / "inside"));
}

BOOST_AUTO_TEST_CASE(read_png_gray_rejects_bad_files) {
  TempDir tmp;
  const std::string missing = tmp.path("missing.png");
  require_input_error([&] { ebm::read_png_gray(missing); }, {missing});

  const std::string text = tmp.path("text.png");
  std::ofstream(text) << "not a png at all";
  require_input_error([&] { ebm::read_png_gray(text); }, {text, "not a PNG"});

  // A valid PNG cut short: libpng's error must surface as InputError.
  const std::string good = tmp.path("good.png");
  ebm::GridOptions options;
  options.image_rows = 40;
  options.image_cols = 40;
  arma::mat noise(1600, 4, arma::fill::randu);
  ebm::write_png_grid(good, noise, options);
  std::vector<char> bytes;
  {
    std::ifstream in(good, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  BOOST_REQUIRE_GT(bytes.size(), 100u);
  for (std::size_t keep : {std::size_t(20), bytes.size() / 2, bytes.size() - 5}) {
    const std::string cut = tmp.path("cut" + std::to_string(keep) + ".png");
    std::ofstream(cut, std::ios::binary).write(bytes.data(), std::streamsize(keep));
    BOOST_TEST_CONTEXT("kept " << keep << " of " << bytes.size() << " bytes") {
      require_input_error([&] { ebm::read_png_gray(cut); }, {cut, "ends early"});
    }
  }
  // Corrupt image data (a flipped byte in the middle): a CRC or zlib error.
  const std::string flipped = tmp.path("flipped.png");
  bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x5A);
  std::ofstream(flipped, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
  require_input_error([&] { ebm::read_png_gray(flipped); }, {flipped});
}
