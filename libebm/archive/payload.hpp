// Writing and reading a Boost.Serialization payload in any of the three
// encodings.  Include only in .cpp files (it pulls in the archive types).
#pragma once

#include <new>
#include <sstream>
#include <string>

#include "libebm/archive/archive_file.hpp"
#include "libebm/error.hpp"
#include "libebm/registry/register.hpp"

namespace ebm {

/// Runs body(archive) on an output archive of `encoding`; returns the bytes.
template <class Body>
std::string write_payload(ArchiveEncoding encoding, Body&& body) {
  std::ostringstream out(std::ios::binary);
  {  // the archive must be closed (XML end tags) before the bytes are taken
    switch (encoding) {
      case ArchiveEncoding::binary: {
        boost::archive::binary_oarchive ar(out);
        body(ar);
        break;
      }
      case ArchiveEncoding::text: {
        boost::archive::text_oarchive ar(out);
        body(ar);
        break;
      }
      case ArchiveEncoding::xml: {
        boost::archive::xml_oarchive ar(out);
        body(ar);
        break;
      }
    }
  }
  return out.str();
}

/// Runs body(archive) on an input archive over `payload`: ebm's checked
/// archives (input_archives.hpp), which bound every length by the payload's
/// size, validate class and object ids and free what a failed load has
/// allocated.  Every failure of the deserializer becomes one InputError
/// naming `path`.
template <class Body>
void read_payload(const std::string& path, ArchiveEncoding encoding, const std::string& payload, Body&& body) {
  std::istringstream in(payload, std::ios::binary);
  struct LimitGuard {  // matrices cannot be larger than the payload
    explicit LimitGuard(std::uint64_t n) { archive_detail::payload_bytes_limit() = n; }
    ~LimitGuard() { archive_detail::payload_bytes_limit() = ~std::uint64_t(0); }
  } guard(payload.size());
  try {
    switch (encoding) {
      case ArchiveEncoding::binary: {
        BinaryInputArchive ar(in, payload.size());
        body(ar);
        ar.finish();
        break;
      }
      case ArchiveEncoding::text: {
        TextInputArchive ar(in, payload.size());
        body(ar);
        ar.finish();
        break;
      }
      case ArchiveEncoding::xml: {
        // Boost 1.74's end-tag check reads past the expected name on
        // malformed input (found by fuzzing); the tags carry no data we need.
        XmlInputArchive ar(in, payload.size(), boost::archive::no_xml_tag_checking);
        body(ar);
        ar.finish();
        break;
      }
    }
  } catch (const InputError& e) {
    throw InputError(path + ": " + e.what());
  } catch (const boost::archive::archive_exception& e) {
    if (e.code == boost::archive::archive_exception::unregistered_class)
      throw InputError(path + ": the archive holds a type this program does not know (" + e.what() +
                       "); is the extension that defines it linked in?");
    throw InputError(path + ": cannot read the archive (" + std::string(e.what()) + ")");
  } catch (const std::bad_alloc&) {
    throw InputError(path + ": cannot read the archive (it asks for more memory than there is)");
  } catch (const std::exception& e) {
    throw InputError(path + ": cannot read the archive (" + std::string(e.what()) + ")");
  }
}

}  // namespace ebm
