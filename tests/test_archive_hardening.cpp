// Crafted archive payloads (docs/fuzzing.md, findings F2-F9): whatever the
// payload, load_model and load_checkpoint return normally or throw one
// one-line InputError naming the file, leak nothing, and never allocate much
// more than the payload's size.  The payloads carry a recomputed CRC-32, as
// an attacker's would, so they reach the deserializer.
//
// Leaks and allocation sizes are measured by replacing the global operator
// new/delete of this test executable (every C++ allocation of the library
// and of Boost goes through them; Armadillo's matrices do not, and are
// bounded separately, F8): after a warm-up load, a failed load must return
// every block it allocated, and no single block may exceed
// max_block_factor * payload bytes + max_block_slack.
#define BOOST_TEST_MODULE archive_hardening
#include <boost/test/unit_test.hpp>
#include <zlib.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <new>
#include <string>
#include <vector>

#include <boost/serialization/vector.hpp>

#include "libebm/archive/checkpoint.hpp"
#include "libebm/archive/payload.hpp"
#include "libebm/archive/model_archive.hpp"
#include "libebm/error.hpp"
#include "libebm/random.hpp"
#include "libebm/training/sgd.hpp"
#include "models/deep_boltzmann_machine.hpp"
#include "samplers/block_gibbs_sampler.hpp"
#include "samplers/persistent_contrastive_divergence.hpp"
#include "test_support.hpp"

namespace tt = boost::test_tools;

// --- allocation accounting -----------------------------------------------

namespace {
std::atomic<long long> live_blocks{0};       // operator new minus operator delete
std::atomic<std::size_t> largest_block{0};   // since the last reset
}  // namespace

void* operator new(std::size_t n) {
  void* p = std::malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  ++live_blocks;
  std::size_t seen = largest_block.load();
  while (n > seen && !largest_block.compare_exchange_weak(seen, n)) {
  }
  return p;
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return operator new(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p) noexcept {
  if (!p) return;
  --live_blocks;
  std::free(p);
}
void operator delete[](void* p) noexcept { operator delete(p); }
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }
void operator delete[](void* p, std::size_t) noexcept { operator delete(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { operator delete(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { operator delete(p); }

namespace {

namespace fs = std::filesystem;
using ebm::ArchiveEncoding;

// Boost's own buffers (the text archives' locale, XML parser state) are a
// few KB whatever the payload; the bound is on what the payload can ask for.
constexpr std::size_t max_block_factor = 4;
constexpr std::size_t max_block_slack = 64 * 1024;

const std::vector<ArchiveEncoding> encodings = {ArchiveEncoding::binary, ArchiveEncoding::text, ArchiveEncoding::xml};

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string header_of(const std::string& archive) { return archive.substr(0, archive.find("\n\n") + 2); }
std::string payload_of(const std::string& archive) { return archive.substr(archive.find("\n\n") + 2); }

/// `archive`'s header (content, type, scalar, encoding) around another
/// payload, with its size and CRC-32 recomputed (zlib, not the library's).
std::string rewrap(const std::string& archive, const std::string& payload) {
  std::string head = header_of(archive), out;
  std::size_t start = 0;
  while (start < head.size() && head[start] != '\n') {
    const std::size_t end = head.find('\n', start);
    const std::string line = head.substr(start, end - start);
    if (line.rfind("payload_bytes ", 0) != 0 && line.rfind("payload_crc32 ", 0) != 0) out += line + "\n";
    start = end + 1;
  }
  char crc[16];
  std::snprintf(crc, sizeof crc, "%08lx",
                crc32(0L, reinterpret_cast<const Bytef*>(payload.data()), uInt(payload.size())));
  return out + "payload_bytes " + std::to_string(payload.size()) + "\npayload_crc32 " + crc + "\n\n" + payload;
}

/// Replaces the first `from` in `s` by `to`; fails the test if it is absent
/// (a crafted input that is not crafted would let the test pass vacuously).
std::string replaced(std::string s, const std::string& from, const std::string& to) {
  const std::size_t at = s.find(from);
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, "pattern not found: " + from);
  return s.replace(at, from.size(), to);
}

/// The outcome of loading one file.
struct Outcome {
  bool loaded = false;
  std::string error;  ///< the InputError's message, "" if it loaded
  long long leaked_blocks = 0;
  std::size_t largest_block = 0;
};

/// Loads `path` as a model (checkpoint = false) or checkpoint of scalar eT;
/// anything but success or InputError escapes and fails the test.
template <typename eT>
Outcome load(const std::string& path, bool checkpoint) {
  Outcome o;
  std::string message;
  message.reserve(4096);  // so that keeping the message allocates nothing inside the count
  const long long before = live_blocks.load();
  largest_block = 0;
  try {
    if (checkpoint)
      ebm::load_checkpoint<eT>(path);
    else
      ebm::load_model<eT>(path);
    o.loaded = true;
  } catch (const ebm::InputError& e) {
    message = e.what();
  }
  o.largest_block = largest_block.load();
  o.leaked_blocks = live_blocks.load() - before;
  o.error = message;
  return o;
}

/// Checks the contract for one crafted file of `payload_bytes` bytes; if
/// `expected` is not empty the load must fail with a message containing it.
void check_outcome(const Outcome& o, const std::string& path, std::size_t payload_bytes,
                   const std::string& expected = "") {
  BOOST_TEST_CONTEXT(path << ": " << (o.loaded ? "loaded" : o.error)) {
    BOOST_TEST(o.leaked_blocks == 0);
    BOOST_TEST(o.largest_block <= max_block_factor * payload_bytes + max_block_slack);
    if (!o.loaded) {
      BOOST_TEST(o.error.rfind(path + ": ", 0) == 0);  // names the file first
      BOOST_TEST(o.error.find('\n') == std::string::npos);
    }
    if (!expected.empty()) {
      BOOST_TEST(!o.loaded);
      BOOST_TEST(o.error.find(expected) != std::string::npos);
    }
  }
}

/// A small model and a checkpoint (PCD chains, SGD momentum, history) in
/// every encoding and both scalars: the material crafted inputs are cut from.
struct Archives {
  test::TempDir tmp{"ebm_archive_hardening"};
  std::map<std::string, std::string> bytes;  // "model float binary" -> file bytes

  template <typename eT>
  void make() {
    const std::string scalar = sizeof(eT) == 4 ? "float" : "double";
    auto rbm = test::random_rbm<eT>(3, 2, 5);
    ebm::PersistentContrastiveDivergence<eT> pcd(std::make_unique<ebm::BlockGibbsSampler<eT>>(), 2, 1);
    ebm::SgdOptions o;
    o.momentum = 0.5;
    ebm::Sgd<eT> sgd(o);
    ebm::Rng rng(6);
    ebm::Statistics<eT> g;
    arma::Mat<eT> batch(3, 4, arma::fill::ones);
    auto params = rbm->parameters();
    pcd.estimate(*rbm, batch, g, rng);
    sgd.apply(params, g, ebm::StepContext{});
    ebm::EpochRecord record;
    record.epoch = 1;
    record.measurements = {{"a", 1.5}};
    for (ArchiveEncoding e : encodings) {
      const std::string m = tmp / "m", c = tmp / "c";
      ebm::save_model(m, *rbm, "cfg", e);
      ebm::save_checkpoint(c, "cfg", *rbm, pcd, sgd, rng, 1, {record}, e);
      bytes["model " + scalar + " " + ebm::encoding_name(e)] = read_bytes(m);
      bytes["checkpoint " + scalar + " " + ebm::encoding_name(e)] = read_bytes(c);
    }
  }
  Archives() {
    make<float>();
    make<double>();
    // Warm-up: one good and one failed load of each kind, so that lazily
    // built library state is not counted as a leak.
    for (const auto& [name, archive] : bytes) {
      const bool checkpoint = name.rfind("checkpoint", 0) == 0;
      const bool is_float = name.find("float") != std::string::npos;
      for (const std::string& file : {archive, rewrap(archive, payload_of(archive).substr(0, 60))}) {
        write_bytes(tmp / "warm", file);
        is_float ? load<float>(tmp / "warm", checkpoint) : load<double>(tmp / "warm", checkpoint);
      }
    }
  }
};

Archives& archives() {
  static Archives a;
  return a;
}

/// Writes `file` and checks the contract for loading it.
template <typename eT>
void expect(const std::string& name, const std::string& file, bool checkpoint, const std::string& expected) {
  const std::string path = archives().tmp / name;
  write_bytes(path, file);
  check_outcome(load<eT>(path, checkpoint), path, payload_of(file).size(), expected);
}

}  // namespace

BOOST_AUTO_TEST_CASE(standard_fields_round_trip_in_every_encoding) {
  // What an extension may archive besides matrices: flags, counts, strings
  // and vectors of numbers (binary archives write these arrays in Boost's
  // optimised form; the checked reader must read them the same way).
  for (const auto encoding : {ebm::ArchiveEncoding::binary, ebm::ArchiveEncoding::text, ebm::ArchiveEncoding::xml}) {
    bool flag = true;
    std::uint32_t small = 7;
    std::string text = "twelve chars";
    std::vector<std::uint64_t> counts{2, 3, 5};
    std::vector<double> values{0.5, -1.25};
    std::vector<std::uint64_t> none;
    const std::string payload = ebm::write_payload(encoding, [&](auto& ar) {
      ar << boost::serialization::make_nvp("flag", flag) << boost::serialization::make_nvp("small", small)
         << boost::serialization::make_nvp("text", text) << boost::serialization::make_nvp("counts", counts)
         << boost::serialization::make_nvp("values", values) << boost::serialization::make_nvp("none", none);
    });
    bool flag2 = false;
    std::uint32_t small2 = 0;
    std::string text2;
    std::vector<std::uint64_t> counts2, none2{9};
    std::vector<double> values2;
    ebm::read_payload("fields", encoding, payload, [&](auto& ar) {
      ar >> boost::serialization::make_nvp("flag", flag2) >> boost::serialization::make_nvp("small", small2) >>
          boost::serialization::make_nvp("text", text2) >> boost::serialization::make_nvp("counts", counts2) >>
          boost::serialization::make_nvp("values", values2) >> boost::serialization::make_nvp("none", none2);
    });
    BOOST_TEST(flag2 == flag);
    BOOST_TEST(small2 == small);
    BOOST_TEST(text2 == text);
    BOOST_TEST(counts2 == counts, tt::per_element());
    BOOST_TEST(values2 == values, tt::per_element());
    BOOST_TEST(none2.empty());
  }
}

BOOST_AUTO_TEST_CASE(good_archives_load_without_leaks_in_every_encoding) {
  for (const auto& [name, archive] : archives().bytes) {
    const std::string path = archives().tmp / "good";
    write_bytes(path, archive);
    const bool checkpoint = name.rfind("checkpoint", 0) == 0;
    const Outcome o = name.find("float") != std::string::npos ? load<float>(path, checkpoint)
                                                               : load<double>(path, checkpoint);
    BOOST_TEST_CONTEXT(name) {
      BOOST_TEST(o.loaded);
      BOOST_TEST(o.leaked_blocks == 0);
    }
  }
}

// The reproducers of the fuzzing session (tests/fuzz/findings/): payloads
// whose first byte picks the encoding (and, for checkpoints, the scalar),
// wrapped in a header with a valid checksum; and complete archives.
BOOST_AUTO_TEST_CASE(fuzz_findings_give_one_input_error_without_leaks) {
  const fs::path dir = fs::path(EBM_TEST_DATA_DIR) / ".." / "fuzz" / "findings";
  int payloads = 0, files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    const std::string data = read_bytes(entry.path().string());
    BOOST_TEST_CONTEXT(name) {
      if (name.rfind("payload-", 0) == 0 || name.rfind("checkpoint_payload-", 0) == 0) {
        const bool checkpoint = name[0] == 'c';
        const auto selector = static_cast<unsigned char>(data.at(0));
        const std::string encoding = ebm::encoding_name(encodings[selector % 3]);
        const std::string scalar = checkpoint && (selector / 3) % 2 ? "double" : "float";
        const std::string carrier = archives().bytes.at((checkpoint ? "checkpoint " : "model ") + scalar + " " + encoding);
        const std::string file = rewrap(carrier, data.substr(1));
        // Every one of these is corrupt: none may load.
        if (scalar == "float")
          expect<float>(name + ".ebm", file, checkpoint, ": ");
        else
          expect<double>(name + ".ebm", file, checkpoint, ": ");
        ++payloads;
      } else if (name.rfind("archive-", 0) == 0) {
        const std::string path = archives().tmp / name;
        write_bytes(path, data);
        check_outcome(load<float>(path, false), path, payload_of(data).size(), ": ");
        ++files;
      }
    }
  }
  BOOST_TEST(payloads >= 9);
  BOOST_TEST(files >= 3);
}

// F3: a length or count from the payload is checked against the bytes left
// before anything is allocated for it.
BOOST_AUTO_TEST_CASE(huge_lengths_and_counts_are_refused_before_allocation) {
  const auto& a = archives().bytes;
  // The stored config "cfg": an 8-byte length in binary, a decimal one in text.
  const std::string bin = a.at("model float binary"), text = a.at("model float text");
  const std::string length_8gib("\x00\x00\x00\x00\x02\x00\x00\x00", 8);
  const std::string bin_cfg = std::string("\x03\0\0\0\0\0\0\0", 8) + "cfg";
  expect<float>("bin_string.ebm", rewrap(bin, replaced(payload_of(bin), bin_cfg, length_8gib + "cfg")), false,
                "corrupted archive payload: a string of 8589934592 characters");
  expect<float>("text_string.ebm", rewrap(text, replaced(payload_of(text), " 3 cfg", " 8589934592 cfg")), false,
                "corrupted archive payload: a string of 8589934592 characters");
  // The number of layers: "<object id> <Model tracking, version (1: with
  // centering offsets)> <vector tracking, version> <count> <item version>"
  // after the model's class.
  expect<float>("text_count.ebm",
                rewrap(text, replaced(payload_of(text), "rbm/float 1 0\n0 0 1 0 0 2 0", "rbm/float 1 0\n0 0 1 0 0 99999999999 0")),
                false, "corrupted archive payload: a collection of 99999999999 elements");
  // A class name longer than the payload.
  expect<float>("text_class_name.ebm", rewrap(text, replaced(payload_of(text), " 9 rbm/float", " 4000000000 rbm/float")),
                false, "corrupted archive payload: a string of 4000000000 characters");
}

// F4: class ids must be -1, a class already seen, or the next one.
BOOST_AUTO_TEST_CASE(out_of_range_class_ids_are_refused) {
  const auto& a = archives().bytes;
  const std::string text = a.at("model float text"), bin = a.at("model float binary");
  for (const std::string id : {"-2", "-32768", "1", "7", "32767"})
    expect<float>("class_id" + id + ".ebm", rewrap(text, replaced(payload_of(text), " 0 9 rbm/float", " " + id + " 9 rbm/float")),
                  false, "corrupted archive payload: class id " + id + " (expected -1 to 0)");
  // Binary: the 16-bit class id just before the class name's 8-byte length.
  const std::string name = std::string("\x09\0\0\0\0\0\0\0", 8) + "rbm/float";
  std::string p = payload_of(bin);
  const std::size_t at = p.find(name);
  BOOST_REQUIRE(at != std::string::npos && at >= 2);
  BOOST_REQUIRE(p[at - 2] == 0 && p[at - 1] == 0);
  p[at - 2] = '\xfe';
  p[at - 1] = '\xff';
  expect<float>("bin_class_id.ebm", rewrap(bin, p), false, "corrupted archive payload: class id -2 (expected -1 to 0)");
  // A new id for a class already in the table (Boost would register it
  // under its old id and index the table with the new one).
  expect<float>("class_twice.ebm", rewrap(text, replaced(payload_of(text), "11 dense/float", "15 bernoulli/float")), false,
                "corrupted archive payload: class 'bernoulli/float' listed twice");
  // A name no program registers.
  expect<float>("unknown_class.ebm", rewrap(text, replaced(payload_of(text), "bernoulli/float", "bernoulli/flaot")), false,
                "the archive holds a type this program does not know ('bernoulli/flaot')");
}

// A DBM's pretraining progress that does not fit the model (only a damaged
// or crafted file can hold one) is refused with one clear error.
BOOST_AUTO_TEST_CASE(a_dbm_pretraining_progress_that_does_not_fit_is_refused) {
  std::vector<std::unique_ptr<ebm::Layer<float>>> layers;
  for (arma::uword n : {4, 3, 2}) layers.push_back(std::make_unique<ebm::BernoulliLayer<float>>(n));
  ebm::DeepBoltzmannMachine<float> dbm(std::move(layers));
  dbm.set_pretraining_progress(1, {arma::fmat(3, 1, arma::fill::zeros)});
  const std::string path = archives().tmp / "progress.ebm";
  ebm::save_model(path, dbm, "", ArchiveEncoding::text);
  const std::string text = read_bytes(path);
  // After the mean-field options: levels, the vector's count and item
  // version, the bias's shape.
  expect<float>("dbm_levels.ebm", rewrap(text, replaced(payload_of(text), "e-07 1 1 0 3 1 ", "e-07 7 1 0 3 1 ")), false,
                "dbm archive: 7 pretrained levels of 2 hidden layers");
  expect<float>("dbm_bias_rows.ebm",
                rewrap(text, replaced(payload_of(text), "e-07 1 1 0 3 1 0.000000000e+00 ", "e-07 1 1 0 2 1 ")), false,
                "dbm archive: pretraining bias 0 is 2x1, layer 1 has 3 units");
}

// Object ids: ebm archives hold every object once, so the ids run 0, 1, 2...
// and a back reference (two owners of one layer, F5) is refused.
BOOST_AUTO_TEST_CASE(object_ids_out_of_sequence_are_refused) {
  const std::string text = archives().bytes.at("model float text");
  expect<float>("object_id.ebm", rewrap(text, replaced(payload_of(text), "rbm/float 1 0\n0 ", "rbm/float 1 0\n5 ")), false,
                "corrupted archive payload: object id 5 (expected 0;");
}

// F2 and everything else: every truncation of every archive (every byte for
// binary and text, every 7th for XML), and every byte of the binary archives
// set to 0x80 and 0xff (the extremes of lengths, counts and 16-bit class
// ids), loads or gives one InputError, without a leak or an allocation
// beyond the bound.
BOOST_AUTO_TEST_CASE(every_truncation_and_byte_mutation_is_handled) {
  const std::string path = archives().tmp / "sweep.ebm";
  std::size_t cases = 0, failures = 0;
  auto run = [&](const std::string& name, const std::string& archive, const std::string& payload) {
    const bool checkpoint = name.rfind("checkpoint", 0) == 0;
    write_bytes(path, rewrap(archive, payload));
    const Outcome o = name.find("float") != std::string::npos ? load<float>(path, checkpoint)
                                                               : load<double>(path, checkpoint);
    ++cases;
    const bool ok = o.leaked_blocks == 0 && o.largest_block <= max_block_factor * payload.size() + max_block_slack &&
                    (o.loaded || (o.error.rfind(path + ": ", 0) == 0 && o.error.find('\n') == std::string::npos));
    if (!ok && ++failures <= 10)
      BOOST_ERROR(name << ", payload of " << payload.size() << " bytes: leaked " << o.leaked_blocks
                       << " blocks, largest " << o.largest_block << " bytes, " << (o.loaded ? "loaded" : o.error));
  };
  for (const auto& [name, archive] : archives().bytes) {
    const std::string payload = payload_of(archive);
    const bool xml = name.find("xml") != std::string::npos;
    for (std::size_t n = 0; n < payload.size(); n += xml ? 7 : 1) run(name, archive, payload.substr(0, n));
    if (name.find("binary") != std::string::npos)
      for (std::size_t i = 0; i < payload.size(); ++i)
        for (char byte : {'\x80', '\xff'}) {
          if (payload[i] == byte) continue;
          std::string mutated = payload;
          mutated[i] = byte;
          run(name, archive, mutated);
        }
  }
  BOOST_TEST_MESSAGE(cases << " crafted archives loaded");
  BOOST_TEST(failures == 0u);
}
