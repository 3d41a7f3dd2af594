// The checkpoint payload deserializer, without the archive header and its
// CRC check.  Byte 0 picks the encoding (byte % 3: binary, text, xml) and
// the scalar type (byte / 3 % 2: float, double); the rest is read exactly
// as load_checkpoint (libebm/archive/checkpoint.cpp) reads it: config,
// model, estimator, update rule, rng state, steps and history.
#include <boost/serialization/utility.hpp>
#include <memory>

#include "libebm/archive/checkpoint.hpp"
#include "libebm/archive/payload.hpp"
#include "libebm/registry/register.hpp"
#include "tests/fuzz/fuzz_common.hpp"

// Copied from libebm/archive/checkpoint.cpp, where it is local to that file
// (identical definition, so no ODR clash).
namespace boost {
namespace serialization {

template <class Archive>
void serialize(Archive& ar, ebm::EpochRecord& r, const unsigned int) {
  std::uint64_t epoch = r.epoch;
  ar& make_nvp("epoch", epoch);
  r.epoch = epoch;
  ar& make_nvp("seconds", r.seconds);
  ar& make_nvp("measurements", r.measurements);
}

}  // namespace serialization
}  // namespace boost

namespace {

template <typename eT>
void load(ebm::ArchiveEncoding encoding, const std::string& payload) {
  ebm::TrainingCheckpoint<eT> c;
  ebm::Model<eT>* m = nullptr;
  ebm::GradientEstimator<eT>* e = nullptr;
  ebm::UpdateRule<eT>* u = nullptr;
  try {
    ebm::read_payload("fuzz", encoding, payload, [&](auto& ar) {
      using boost::serialization::make_nvp;
      ar& make_nvp("config", c.config);
      ar& make_nvp("model", m);
      c.model.reset(m);
      ar& make_nvp("estimator", e);
      c.estimator.reset(e);
      ar& make_nvp("update_rule", u);
      c.update_rule.reset(u);
      ar& make_nvp("rng", c.rng_state);
      ar& make_nvp("steps", c.steps);
      ar& make_nvp("history", c.history);
    });
  } catch (const ebm::InputError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const ebm::ArchiveEncoding encodings[] = {ebm::ArchiveEncoding::binary, ebm::ArchiveEncoding::text,
                                                   ebm::ArchiveEncoding::xml};
  const ebm::ArchiveEncoding encoding = encodings[data[0] % 3];
  const std::string payload(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] / 3 % 2 == 0)
    load<float>(encoding, payload);
  else
    load<double>(encoding, payload);
  return 0;
}
