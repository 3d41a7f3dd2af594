#define BOOST_TEST_MODULE data
#include <boost/test/unit_test.hpp>

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "libebm/data/binarize.hpp"
#include "libebm/data/csv_reader.hpp"
#include "libebm/data/idx_reader.hpp"
#include "libebm/data/minibatches.hpp"
#include "libebm/error.hpp"
#include "libebm/random.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace {

// A fresh directory per test case, removed afterwards, so tests can run in
// parallel (ctest -j) and leave nothing behind.
struct TempDir : test::TempDir {
  TempDir() : test::TempDir("ebm_test_data") {}
};

using Bytes = std::vector<unsigned char>;

void put_u32(Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back((v >> shift) & 0xFF);
}

/// An IDX file: magic, big-endian dimension sizes, then `payload` as is.
Bytes idx_file(unsigned type_code, std::initializer_list<std::uint32_t> dims, const Bytes& payload) {
  Bytes out = {0, 0, static_cast<unsigned char>(type_code), static_cast<unsigned char>(dims.size())};
  for (std::uint32_t d : dims) put_u32(out, d);
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

void write_raw(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  BOOST_REQUIRE(out.good());
}

void write_gz(const std::string& path, const Bytes& bytes) {
  gzFile out = gzopen(path.c_str(), "wb");
  BOOST_REQUIRE(out != nullptr);
  BOOST_REQUIRE_EQUAL(gzwrite(out, bytes.data(), unsigned(bytes.size())), int(bytes.size()));
  BOOST_REQUIRE_EQUAL(gzclose(out), Z_OK);
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  BOOST_REQUIRE(out.good());
}

/// Checks that `action` throws InputError with a one-line message containing
/// every one of `needles` (the path, a line number, the bad value...).
void check_input_error(const std::function<void()>& action, std::vector<std::string> needles) {
  try {
    action();
    BOOST_ERROR("no InputError thrown; expected one mentioning '" + needles.front() + "'");
  } catch (const ebm::InputError& e) {
    const std::string message = e.what();
    BOOST_TEST_MESSAGE("InputError: " + message);
    BOOST_CHECK_MESSAGE(message.find('\n') == std::string::npos, "multi-line message: " + message);
    for (const std::string& needle : needles) {
      BOOST_CHECK_MESSAGE(message.find(needle) != std::string::npos,
                          "message '" + message + "' lacks '" + needle + "'");
    }
  }
}

template <typename eT>
void check_ubyte_images(const std::string& path, const Bytes& pixels) {
  // 3 samples of 2 x 3 pixels: sample c, pixel (r, k) is pixels[6c + 3r + k],
  // and row-major flattening puts it at row 3r + k of column c.
  const arma::Mat<eT> x = ebm::read_idx_images<eT>(path);
  BOOST_REQUIRE_EQUAL(x.n_rows, 6u);
  BOOST_REQUIRE_EQUAL(x.n_cols, 3u);
  for (arma::uword c = 0; c < 3; ++c) {
    for (arma::uword r = 0; r < 2; ++r) {
      for (arma::uword k = 0; k < 3; ++k) {
        BOOST_CHECK_EQUAL(x(3 * r + k, c), eT(pixels[6 * c + 3 * r + k]) / eT(255));
      }
    }
  }
  BOOST_CHECK_EQUAL(x(0, 0), eT(0));
  BOOST_CHECK_EQUAL(x(5, 2), eT(1));

  const arma::Mat<eT> first = ebm::read_idx_images<eT>(path, 2);
  BOOST_REQUIRE_EQUAL(first.n_rows, 6u);
  BOOST_REQUIRE_EQUAL(first.n_cols, 2u);
  BOOST_CHECK(arma::approx_equal(first, x.cols(0, 1), "absdiff", eT(0)));

  // A limit beyond the file keeps everything.
  const arma::Mat<eT> all = ebm::read_idx_images<eT>(path, 100);
  BOOST_CHECK_EQUAL(all.n_cols, 3u);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(idx)

BOOST_AUTO_TEST_CASE(ubyte_images_raw_and_gzip) {
  TempDir tmp;
  Bytes pixels(18);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<unsigned char>(15 * i);
  const Bytes file = idx_file(0x08, {3, 2, 3}, pixels);
  write_raw(tmp.path("images.idx"), file);
  write_gz(tmp.path("images.idx.gz"), file);
  for (const std::string name : {"images.idx", "images.idx.gz"}) {
    BOOST_TEST_CONTEXT(name) {
      check_ubyte_images<float>(tmp.path(name), pixels);
      check_ubyte_images<double>(tmp.path(name), pixels);
    }
  }
}

BOOST_AUTO_TEST_CASE(other_types_keep_their_values) {
  TempDir tmp;
  // signed bytes, 1 dimension: one row, one column per sample.
  write_gz(tmp.path("s8.gz"), idx_file(0x09, {4}, {0x80, 0xFF, 0x00, 0x7F}));
  const arma::mat s8 = ebm::read_idx_images<double>(tmp.path("s8.gz"));
  BOOST_REQUIRE_EQUAL(s8.n_rows, 1u);
  BOOST_REQUIRE_EQUAL(s8.n_cols, 4u);
  BOOST_CHECK_EQUAL(s8(0, 0), -128.0);
  BOOST_CHECK_EQUAL(s8(0, 1), -1.0);
  BOOST_CHECK_EQUAL(s8(0, 2), 0.0);
  BOOST_CHECK_EQUAL(s8(0, 3), 127.0);

  // int16, 2 samples x 2: big-endian.
  write_raw(tmp.path("i16"), idx_file(0x0B, {2, 2}, {0x80, 0x00, 0xFF, 0xFE, 0x01, 0x2C, 0x7F, 0xFF}));
  const arma::mat i16 = ebm::read_idx_images<double>(tmp.path("i16"));
  BOOST_REQUIRE_EQUAL(i16.n_rows, 2u);
  BOOST_REQUIRE_EQUAL(i16.n_cols, 2u);
  BOOST_CHECK_EQUAL(i16(0, 0), -32768.0);
  BOOST_CHECK_EQUAL(i16(1, 0), -2.0);
  BOOST_CHECK_EQUAL(i16(0, 1), 300.0);
  BOOST_CHECK_EQUAL(i16(1, 1), 32767.0);

  // int32
  write_raw(tmp.path("i32"), idx_file(0x0C, {2}, {0xFF, 0xFE, 0x79, 0x60, 0x7F, 0xFF, 0xFF, 0xFF}));
  const arma::mat i32 = ebm::read_idx_images<double>(tmp.path("i32"));
  BOOST_CHECK_EQUAL(i32(0, 0), -100000.0);
  BOOST_CHECK_EQUAL(i32(0, 1), 2147483647.0);

  // float32: 1.5 = 0x3FC00000, -0.25 = 0xBE800000
  write_gz(tmp.path("f32.gz"), idx_file(0x0D, {1, 2}, {0x3F, 0xC0, 0, 0, 0xBE, 0x80, 0, 0}));
  const arma::fmat f32 = ebm::read_idx_images<float>(tmp.path("f32.gz"));
  BOOST_REQUIRE_EQUAL(f32.n_rows, 2u);
  BOOST_REQUIRE_EQUAL(f32.n_cols, 1u);
  BOOST_CHECK_EQUAL(f32(0, 0), 1.5f);
  BOOST_CHECK_EQUAL(f32(1, 0), -0.25f);

  // Zero samples is a valid (empty) data set of the right height.
  write_raw(tmp.path("none"), idx_file(0x08, {0, 2, 2}, {}));
  const arma::fmat none = ebm::read_idx_images<float>(tmp.path("none"));
  BOOST_CHECK_EQUAL(none.n_rows, 4u);
  BOOST_CHECK_EQUAL(none.n_cols, 0u);

  // float64: 0.1 = 0x3FB999999999999A (exact bit pattern round trip)
  write_raw(tmp.path("f64"), idx_file(0x0E, {1}, {0x3F, 0xB9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9A}));
  const arma::mat f64 = ebm::read_idx_images<double>(tmp.path("f64"));
  BOOST_CHECK_EQUAL(f64(0, 0), 0.1);
}

BOOST_AUTO_TEST_CASE(labels) {
  TempDir tmp;
  write_gz(tmp.path("labels.gz"), idx_file(0x08, {5}, {3, 0, 9, 255, 1}));
  const arma::urowvec labels = ebm::read_idx_labels(tmp.path("labels.gz"));
  BOOST_REQUIRE_EQUAL(labels.n_elem, 5u);
  BOOST_CHECK_EQUAL(labels[0], 3u);
  BOOST_CHECK_EQUAL(labels[1], 0u);
  BOOST_CHECK_EQUAL(labels[2], 9u);
  BOOST_CHECK_EQUAL(labels[3], 255u);
  BOOST_CHECK_EQUAL(labels[4], 1u);
  const arma::urowvec first = ebm::read_idx_labels(tmp.path("labels.gz"), 2);
  BOOST_REQUIRE_EQUAL(first.n_elem, 2u);
  BOOST_CHECK_EQUAL(first[1], 0u);

  // Image files and non-byte files are not label files.
  const std::string images = tmp.path("images");
  write_raw(images, idx_file(0x08, {1, 2}, {1, 2}));
  check_input_error([&] { ebm::read_idx_labels(images); }, {images, "1 dimension"});
  const std::string ints = tmp.path("ints");
  write_raw(ints, idx_file(0x0C, {1}, {0, 0, 0, 1}));
  check_input_error([&] { ebm::read_idx_labels(ints); }, {ints, "0x0C"});
}

BOOST_AUTO_TEST_CASE(errors_name_the_file) {
  TempDir tmp;
  const std::string missing = tmp.path("missing.gz");
  check_input_error([&] { ebm::read_idx_images<float>(missing); }, {missing, "cannot open"});
  check_input_error([&] { ebm::read_idx_labels(missing); }, {missing});

  // A directory opens but cannot be read.
  check_input_error([&] { ebm::read_idx_images<float>(tmp.dir.string()); }, {tmp.dir.string()});

  const std::string bad_magic = tmp.path("bad_magic");
  write_raw(bad_magic, {0x01, 0x02, 0x08, 0x01, 0, 0, 0, 0});
  check_input_error([&] { ebm::read_idx_images<float>(bad_magic); },
                    {bad_magic, "magic", "0x01 0x02", "expected"});

  const std::string bad_type = tmp.path("bad_type.gz");
  write_gz(bad_type, idx_file(0x0A, {1}, {0}));
  check_input_error([&] { ebm::read_idx_images<double>(bad_type); }, {bad_type, "type code 0x0A"});

  const std::string no_dims = tmp.path("no_dims");
  write_raw(no_dims, {0, 0, 0x08, 0});
  check_input_error([&] { ebm::read_idx_images<float>(no_dims); }, {no_dims, "0 dimensions"});

  const std::string empty = tmp.path("empty");
  write_raw(empty, {});
  check_input_error([&] { ebm::read_idx_images<float>(empty); }, {empty, "ends after 0 of 4"});

  // Header cut inside the dimension sizes.
  const std::string short_header = tmp.path("short_header");
  write_raw(short_header, {0, 0, 0x08, 3, 0, 0, 0, 2, 0});
  check_input_error([&] { ebm::read_idx_images<float>(short_header); },
                    {short_header, "ends after 5 of 12"});

  // 2 samples of 2 x 2 ubytes promised, 7 bytes present; raw and gzip.
  const Bytes truncated = idx_file(0x08, {2, 2, 2}, {1, 2, 3, 4, 5, 6, 7});
  const std::string truncated_raw = tmp.path("truncated");
  const std::string truncated_gz = tmp.path("truncated.gz");
  write_raw(truncated_raw, truncated);
  write_gz(truncated_gz, truncated);
  for (const std::string& path : {truncated_raw, truncated_gz}) {
    check_input_error([&] { ebm::read_idx_images<float>(path); }, {path, "ends after 7 of 8"});
    // The first sample is complete, so a limit of 1 does not need the rest.
    BOOST_CHECK_EQUAL(ebm::read_idx_images<float>(path, 1).n_cols, 1u);
  }
  const std::string truncated_labels = tmp.path("truncated_labels");
  write_raw(truncated_labels, idx_file(0x08, {10}, {1, 2, 3}));
  check_input_error([&] { ebm::read_idx_labels(truncated_labels); },
                    {truncated_labels, "ends after 3 of 10"});

  // A gzip stream cut short: decompression fails or the data runs out; either
  // way an InputError naming the file.
  Bytes big(4 + 8 + 1000);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<unsigned char>(i * 7919 % 251);
  const std::string cut_gz = tmp.path("cut.gz");
  write_gz(cut_gz, idx_file(0x08, {10, 100}, Bytes(big.begin(), big.begin() + 1000)));
  {
    const auto size = fs::file_size(cut_gz);
    fs::resize_file(cut_gz, size / 2);
  }
  check_input_error([&] { ebm::read_idx_images<float>(cut_gz); }, {cut_gz});

  // Absurd headers fail before allocating anything.
  const std::string huge = tmp.path("huge");
  write_raw(huge, idx_file(0x0E, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}, {}));
  check_input_error([&] { ebm::read_idx_images<double>(huge); }, {huge, "limit"});
  const std::string huge_sample = tmp.path("huge_sample");
  write_raw(huge_sample, idx_file(0x08, {0, 0x10000, 0x10000, 0x10000}, {}));
  check_input_error([&] { ebm::read_idx_images<float>(huge_sample); }, {huge_sample, "limit"});
  const std::string too_many = tmp.path("too_many");
  write_raw(too_many, idx_file(0x0C, {0x80000000, 4}, {}));
  check_input_error([&] { ebm::read_idx_images<float>(too_many, 1); }, {too_many, "limit"});
}

BOOST_AUTO_TEST_CASE(fashion_mnist_test_set) {
  const std::string dir = "/usr/share/datasets/fashion-mnist/";
  const std::string images_path = dir + "t10k-images-idx3-ubyte.gz";
  const std::string labels_path = dir + "t10k-labels-idx1-ubyte.gz";
  if (!fs::exists(images_path) || !fs::exists(labels_path)) {
    BOOST_TEST_MESSAGE("skipped: " + images_path + " not found");
    return;
  }
  const arma::fmat images = ebm::read_idx_images<float>(images_path);
  BOOST_CHECK_EQUAL(images.n_rows, 784u);
  BOOST_CHECK_EQUAL(images.n_cols, 10000u);
  BOOST_CHECK_GE(images.min(), 0.0f);
  BOOST_CHECK_LE(images.max(), 1.0f);
  BOOST_CHECK_EQUAL(images.max(), 1.0f);  // some pixel is saturated

  const arma::urowvec labels = ebm::read_idx_labels(labels_path);
  BOOST_REQUIRE_EQUAL(labels.n_elem, 10000u);
  BOOST_CHECK_LE(labels.max(), 9u);
  for (arma::uword k = 0; k < 10; ++k) {
    BOOST_CHECK_EQUAL(arma::accu(labels == k), 1000u);
  }
}

// F12 (docs/fuzzing.md): a gzip file whose header promises 4 GiB or more,
// where its ISIZE trailer (modulo 2^32) cannot rule the promise out, used to
// be allocated in full before the data ran out.  DEFLATE expands at most
// 1032:1, so the promise is refused from the file's size before any
// allocation.  The fuzzer's reproducers (tests/fuzz/findings/idx-*) and a
// well-formed gzip stream that promises 2^20 samples of 64 x 64 bytes.
BOOST_AUTO_TEST_CASE(promises_beyond_what_the_file_can_hold_are_refused) {
  const fs::path dir = fs::path(EBM_TEST_DATA_DIR) / ".." / "fuzz" / "findings";
  int reproducers = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("idx-", 0) != 0) continue;
    const std::string path = entry.path().string();
    BOOST_TEST_CONTEXT(name) {
      check_input_error([&] { ebm::read_idx_images<float>(path); }, {path});
      check_input_error([&] { ebm::read_idx_labels(path); }, {path});
    }
    ++reproducers;
  }
  BOOST_TEST(reproducers >= 2);

  TempDir tmp;
  const std::string big = tmp.path("big.gz");
  write_gz(big, idx_file(0x08, {1u << 20, 64, 64}, {1, 2, 3}));
  check_input_error([&] { ebm::read_idx_images<float>(big); }, {big, "promises 4294967312 bytes", "gzip file"});
  // The same promise with a limit that fits is read up to where the data end.
  check_input_error([&] { ebm::read_idx_images<float>(big, 1); }, {big, "ends after 3 of 4096"});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(csv)

BOOST_AUTO_TEST_CASE(reads_one_sample_per_column) {
  TempDir tmp;
  const std::string path = tmp.path("data.csv");
  write_text(path, "1, 2,3\r\n\n  \r\n 4 ,-5.5e1,+6\n0.25,0,1e-3");
  const arma::mat x = ebm::read_csv<double>(path);
  BOOST_REQUIRE_EQUAL(x.n_rows, 3u);
  BOOST_REQUIRE_EQUAL(x.n_cols, 3u);
  const double expected[3][3] = {{1, 2, 3}, {4, -55, 6}, {0.25, 0, 1e-3}};
  for (arma::uword c = 0; c < 3; ++c) {
    for (arma::uword r = 0; r < 3; ++r) BOOST_CHECK_EQUAL(x(r, c), expected[c][r]);
  }
  const arma::fmat xf = ebm::read_csv<float>(path);
  BOOST_CHECK_EQUAL(xf(2, 2), 1e-3f);

  ebm::CsvOptions limited;
  limited.limit = 2;
  const arma::mat first = ebm::read_csv<double>(path, limited);
  BOOST_REQUIRE_EQUAL(first.n_cols, 2u);
  BOOST_CHECK_EQUAL(first(1, 1), -55.0);
}

BOOST_AUTO_TEST_CASE(header_and_delimiter) {
  TempDir tmp;
  const std::string path = tmp.path("data.tsv");
  write_text(path, "a;b\n1;2\n3;4\n");
  ebm::CsvOptions options;
  options.delimiter = ';';
  options.header = true;
  const arma::mat x = ebm::read_csv<double>(path, options);
  BOOST_REQUIRE_EQUAL(x.n_rows, 2u);
  BOOST_REQUIRE_EQUAL(x.n_cols, 2u);
  BOOST_CHECK_EQUAL(x(0, 0), 1.0);
  BOOST_CHECK_EQUAL(x(1, 0), 2.0);
  BOOST_CHECK_EQUAL(x(0, 1), 3.0);
  BOOST_CHECK_EQUAL(x(1, 1), 4.0);
  // Without the header option the header line is bad data.
  options.header = false;
  check_input_error([&] { ebm::read_csv<double>(path, options); },
                    {path + ":1:", "field 1", "'a' is not a number"});
}

BOOST_AUTO_TEST_CASE(errors_name_file_and_line) {
  TempDir tmp;
  const std::string missing = tmp.path("missing.csv");
  check_input_error([&] { ebm::read_csv<double>(missing); }, {missing, "cannot open"});

  check_input_error([&] { ebm::read_csv<double>(tmp.dir.string()); },
                    {tmp.dir.string(), "directory"});

  const std::string ragged = tmp.path("ragged.csv");
  write_text(ragged, "\n1,2,3\n4,5,6\n7,8\n");
  check_input_error([&] { ebm::read_csv<float>(ragged); },
                    {ragged + ":4:", "has 2 fields, expected 3 (as on line 2)"});

  const std::string word = tmp.path("word.csv");
  write_text(word, "1,2,3\n4, abc ,6\n");
  check_input_error([&] { ebm::read_csv<double>(word); },
                    {word + ":2:", "field 2", "'abc' is not a number"});

  const std::string empty_field = tmp.path("empty_field.csv");
  write_text(empty_field, "1,2,3\n4,5,\n");
  check_input_error([&] { ebm::read_csv<double>(empty_field); },
                    {empty_field + ":2:", "field 3", "'' is not a number"});

  const std::string trailing = tmp.path("trailing.csv");
  write_text(trailing, "1,2x\n");
  check_input_error([&] { ebm::read_csv<double>(trailing); }, {trailing + ":1:", "'2x'"});

  const std::string empty = tmp.path("empty.csv");
  write_text(empty, "");
  check_input_error([&] { ebm::read_csv<double>(empty); }, {empty + ": no data"});

  const std::string blank = tmp.path("blank.csv");
  write_text(blank, "\n\r\n  \n");
  check_input_error([&] { ebm::read_csv<double>(blank); }, {blank + ": no data"});

  const std::string header_only = tmp.path("header_only.csv");
  write_text(header_only, "x,y\n");
  ebm::CsvOptions options;
  options.header = true;
  check_input_error([&] { ebm::read_csv<double>(header_only, options); },
                    {header_only + ": no data"});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(binarize)

BOOST_AUTO_TEST_CASE(threshold) {
  arma::mat x = {{0.0, 0.5, 0.51}, {1.0, 0.2, -3.0}};
  ebm::binarize_threshold(x);
  const arma::mat expected = {{0, 0, 1}, {1, 0, 0}};
  BOOST_CHECK(arma::approx_equal(x, expected, "absdiff", 0.0));

  arma::fmat y = {{0.05f, 0.1f, 0.15f}};
  ebm::binarize_threshold(y, 0.1f);
  const arma::fmat expected_y = {{0, 0, 1}};
  BOOST_CHECK(arma::approx_equal(y, expected_y, "absdiff", 0.0f));
}

template <typename eT>
void check_stochastic() {
  const double p = 0.3;
  arma::Mat<eT> x(200, 500);
  x.fill(eT(p));
  ebm::Rng rng(42);
  ebm::binarize_stochastic(x, rng);
  BOOST_CHECK(arma::all(arma::vectorise((x == eT(0)) + (x == eT(1))) == 1u));
  // The mean of N Bernoulli(p) draws has standard error sqrt(p (1-p) / N).
  const double n = double(x.n_elem);
  const double bound = 4.0 * std::sqrt(p * (1.0 - p) / n);
  const double mean = arma::accu(arma::conv_to<arma::mat>::from(x)) / n;
  BOOST_TEST_MESSAGE("mean " << mean << ", p " << p << ", bound " << bound);
  BOOST_CHECK_LE(std::abs(mean - p), bound);

  // Same seed, same data; another seed, other data.
  arma::Mat<eT> again(200, 500);
  again.fill(eT(p));
  ebm::Rng same(42);
  ebm::binarize_stochastic(again, same);
  BOOST_CHECK(arma::approx_equal(x, again, "absdiff", eT(0)));
  arma::Mat<eT> other(200, 500);
  other.fill(eT(p));
  ebm::Rng different(43);
  ebm::binarize_stochastic(other, different);
  BOOST_CHECK(!arma::approx_equal(x, other, "absdiff", eT(0)));

  // Probabilities outside [0, 1] act as clamped.
  arma::Mat<eT> edges = {{eT(0), eT(1), eT(-0.5), eT(1.5)}};
  arma::Mat<eT> many = arma::repmat(edges, 1000, 1);
  ebm::binarize_stochastic(many, rng);
  BOOST_CHECK(arma::all(many.col(0) == eT(0)));
  BOOST_CHECK(arma::all(many.col(1) == eT(1)));
  BOOST_CHECK(arma::all(many.col(2) == eT(0)));
  BOOST_CHECK(arma::all(many.col(3) == eT(1)));
}

BOOST_AUTO_TEST_CASE(stochastic_float) { check_stochastic<float>(); }
BOOST_AUTO_TEST_CASE(stochastic_double) { check_stochastic<double>(); }

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(minibatches)

BOOST_AUTO_TEST_CASE(batches_cover_every_sample_once) {
  ebm::Minibatches batches(10, 3);
  BOOST_CHECK_EQUAL(batches.n_samples(), 10u);
  BOOST_CHECK_EQUAL(batches.batch_size(), 3u);
  BOOST_CHECK_EQUAL(batches.n_batches(), 4u);
  // Before any shuffle the order is the data's own.
  for (arma::uword i = 0; i < 10; ++i) BOOST_CHECK_EQUAL(batches.order()[i], i);
  BOOST_CHECK_EQUAL(batches.indices(3).n_elem, 1u);  // last, partial batch kept
  BOOST_CHECK_EQUAL(batches.indices(3)[0], 9u);

  ebm::Rng rng(7);
  for (int epoch = 0; epoch < 3; ++epoch) {
    batches.shuffle(rng);
    std::vector<int> seen(10, 0);
    for (arma::uword b = 0; b < batches.n_batches(); ++b) {
      const arma::uvec idx = batches.indices(b);
      BOOST_CHECK_EQUAL(idx.n_elem, b < 3 ? 3u : 1u);
      for (arma::uword i : idx) {
        BOOST_REQUIRE_LT(i, 10u);
        ++seen[i];
      }
    }
    BOOST_CHECK(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));
  }

  BOOST_CHECK_EQUAL(ebm::Minibatches(9, 3).n_batches(), 3u);
  BOOST_CHECK_EQUAL(ebm::Minibatches(2, 5).n_batches(), 1u);
  BOOST_CHECK_EQUAL(ebm::Minibatches(2, 5).indices(0).n_elem, 2u);
  BOOST_CHECK_EQUAL(ebm::Minibatches(0, 5).n_batches(), 0u);
  BOOST_CHECK_THROW(ebm::Minibatches(10, 0), ebm::ContractError);
  BOOST_CHECK_THROW(batches.indices(4), ebm::ContractError);
}

BOOST_AUTO_TEST_CASE(order_depends_on_seed_only) {
  ebm::Minibatches a(100, 10), b(100, 10), c(100, 10);
  ebm::Rng rng_a(123), rng_b(123), rng_c(124);
  a.shuffle(rng_a);
  b.shuffle(rng_b);
  c.shuffle(rng_c);
  BOOST_CHECK(arma::all(a.order() == b.order()));
  BOOST_CHECK(arma::any(a.order() != c.order()));
  // The next epoch gets a new order.
  const arma::uvec first = a.order();
  a.shuffle(rng_a);
  BOOST_CHECK(arma::any(a.order() != first));
}

BOOST_AUTO_TEST_CASE(gather_copies_the_batch_columns) {
  // Column j holds j, 100 + j, 200 + j, so every copied value says where it came from.
  arma::fmat data(3, 7);
  for (arma::uword j = 0; j < 7; ++j) {
    for (arma::uword r = 0; r < 3; ++r) data(r, j) = float(100 * r + j);
  }
  ebm::Minibatches batches(7, 3);
  ebm::Rng rng(5);
  batches.shuffle(rng);

  arma::fmat out;
  batches.gather(0, data, out);
  const float* storage = out.memptr();
  for (arma::uword b = 0; b < batches.n_batches(); ++b) {
    batches.gather(b, data, out);
    const arma::uvec idx = batches.indices(b);
    BOOST_REQUIRE_EQUAL(out.n_rows, 3u);
    BOOST_REQUIRE_EQUAL(out.n_cols, idx.n_elem);
    BOOST_CHECK(arma::approx_equal(out, data.cols(idx), "absdiff", 0.0f));
    // Full batches reuse the same storage.
    if (b < 2) BOOST_CHECK(out.memptr() == storage);
  }
  BOOST_CHECK_EQUAL(out.n_cols, 1u);  // 7 = 3 + 3 + 1

  arma::mat data_d = arma::conv_to<arma::mat>::from(data);
  arma::mat out_d;
  batches.gather(1, data_d, out_d);
  BOOST_CHECK(arma::approx_equal(out_d, data_d.cols(batches.indices(1)), "absdiff", 0.0));

  // A shard of a batch (data-parallel training): samples 1..2 of batch 0.
  batches.gather(0, 1, 2, data, out);
  BOOST_CHECK(arma::approx_equal(out, data.cols(batches.indices(0).subvec(1, 2)), "absdiff", 0.0f));
  BOOST_CHECK_EQUAL(batches.size_of(2), 1u);
  BOOST_CHECK_THROW(batches.gather(2, 0, 2, data, out), ebm::ContractError);

  BOOST_CHECK_THROW(batches.gather(3, data, out), ebm::ContractError);
  arma::fmat wrong(3, 6);
  BOOST_CHECK_THROW(batches.gather(0, wrong, out), ebm::ContractError);
}

BOOST_AUTO_TEST_SUITE_END()
