// The input archives every ebm payload is read with: Boost's binary, text
// and XML input archives with the checks of CheckedIArchive (bounded
// lengths and counts, validated class and object ids, no object leaked when
// a load fails; see checked_iarchive.hpp).  Boost's own binary_iarchive,
// text_iarchive and xml_iarchive read the same files but trust them; the
// library does not use them.  Registered with Boost.Serialization below, so
// EBM_REGISTER (which includes this header) instantiates every exported
// type's loader for them.  Their out-of-line members are instantiated in
// input_archives.cpp.
#pragma once

#include <cstdint>
#include <istream>

#include <boost/archive/binary_iarchive_impl.hpp>
#include <boost/archive/text_iarchive.hpp>
#include <boost/archive/xml_iarchive.hpp>
#include <boost/serialization/export.hpp>

#include "libebm/archive/checked_iarchive.hpp"

namespace ebm {

class BinaryInputArchive
    : public archive_detail::CheckedIArchive<
          BinaryInputArchive, boost::archive::binary_iarchive_impl<BinaryInputArchive, char, std::char_traits<char>>,
          ArchiveEncoding::binary> {
 public:
  BinaryInputArchive(std::istream& in, std::uint64_t payload_bytes, unsigned flags = 0)
      : CheckedIArchive(in, payload_bytes, flags) {
    init(flags);  // reads the header, through the checks above (which are constructed by now)
  }
};

class TextInputArchive
    : public archive_detail::CheckedIArchive<TextInputArchive, boost::archive::text_iarchive_impl<TextInputArchive>,
                                             ArchiveEncoding::text> {
 public:
  TextInputArchive(std::istream& in, std::uint64_t payload_bytes, unsigned flags = 0)
      : CheckedIArchive(in, payload_bytes, flags) {
    if (0 == (flags & boost::archive::no_header)) init();
  }
};

class XmlInputArchive
    : public archive_detail::CheckedIArchive<XmlInputArchive, boost::archive::xml_iarchive_impl<XmlInputArchive>,
                                             ArchiveEncoding::xml> {
 public:
  // Boost's xml_iarchive reads the closing </boost_serialization> tag in its
  // destructor, where a missing or malformed tag (a truncated payload)
  // throws out of a destructor and terminates the program.  So the base is
  // told there is no header (its destructor then reads nothing), the header
  // is read here, and the closing tag by finish().
  XmlInputArchive(std::istream& in, std::uint64_t payload_bytes, unsigned flags = 0)
      : CheckedIArchive(in, payload_bytes, flags | boost::archive::no_header), header_(0 == (flags & boost::archive::no_header)) {
    if (header_) init();
  }
  /// Reads the closing tag; call after the last item.
  void finish();  // in input_archives.cpp, where Boost's XML grammar is complete

 private:
  bool header_;
};

}  // namespace ebm

BOOST_SERIALIZATION_REGISTER_ARCHIVE(ebm::BinaryInputArchive)
BOOST_SERIALIZATION_REGISTER_ARCHIVE(ebm::TextInputArchive)
BOOST_SERIALIZATION_REGISTER_ARCHIVE(ebm::XmlInputArchive)
// As for boost::archive::binary_iarchive: binary_oarchive writes arrays of
// arithmetic types (std::vector<double>, ...) in their optimised form, so the
// binary reader must take the same path or it reads fields that are not there.
BOOST_SERIALIZATION_USE_ARRAY_OPTIMIZATION(ebm::BinaryInputArchive)
