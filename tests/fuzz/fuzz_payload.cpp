// The model payload deserializer, without the archive header and its CRC
// check.  Byte 0 picks the encoding (byte % 3: binary, text, xml); the rest
// is the Boost.Serialization payload, read exactly as load_model<float>
// (libebm/archive/model_archive.cpp) reads it: the config string, then a
// polymorphic Model<float> pointer.
#include <memory>

#include "libebm/archive/payload.hpp"
#include "libebm/model.hpp"
#include "libebm/registry/register.hpp"
#include "tests/fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const ebm::ArchiveEncoding encodings[] = {ebm::ArchiveEncoding::binary, ebm::ArchiveEncoding::text,
                                                   ebm::ArchiveEncoding::xml};
  const ebm::ArchiveEncoding encoding = encodings[data[0] % 3];
  const std::string payload(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string config;
  ebm::Model<float>* pointer = nullptr;
  std::unique_ptr<ebm::Model<float>> model;
  try {
    ebm::read_payload("fuzz", encoding, payload, [&](auto& ar) {
      ar& boost::serialization::make_nvp("config", config);
      ar& boost::serialization::make_nvp("model", pointer);
      // As in load_model: owned as soon as the pointer's load returns (a
      // failed pointer load frees its object itself; the XML trailer may
      // still fail after this).
      model.reset(pointer);
    });
  } catch (const ebm::InputError&) {
  }
  return 0;
}
