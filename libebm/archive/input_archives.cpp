// Instantiates Boost's archive templates for ebm's checked input archives,
// as Boost's own binary_iarchive.cpp, text_iarchive.cpp and xml_iarchive.cpp
// do for its archives.
#include "libebm/archive/input_archives.hpp"

#include <boost/archive/impl/archive_serializer_map.ipp>
#include <boost/archive/impl/basic_binary_iarchive.ipp>
#include <boost/archive/impl/basic_binary_iprimitive.ipp>
#include <boost/archive/impl/basic_text_iarchive.ipp>
#include <boost/archive/impl/basic_xml_iarchive.ipp>
#include <boost/archive/impl/text_iarchive_impl.ipp>
#include <boost/archive/impl/xml_iarchive_impl.ipp>

namespace boost {
namespace archive {

template class detail::archive_serializer_map<ebm::BinaryInputArchive>;
template class basic_binary_iprimitive<ebm::BinaryInputArchive, char, std::char_traits<char>>;
template class basic_binary_iarchive<ebm::BinaryInputArchive>;
template class binary_iarchive_impl<ebm::BinaryInputArchive, char, std::char_traits<char>>;

template class detail::archive_serializer_map<ebm::TextInputArchive>;
template class basic_text_iarchive<ebm::TextInputArchive>;
template class text_iarchive_impl<ebm::TextInputArchive>;

template class detail::archive_serializer_map<ebm::XmlInputArchive>;
template class basic_xml_iarchive<ebm::XmlInputArchive>;
template class xml_iarchive_impl<ebm::XmlInputArchive>;

}  // namespace archive
}  // namespace boost

namespace ebm {

void XmlInputArchive::finish() {
  if (header_ && !gimpl->windup(is))
    throw InputError("corrupted archive payload: the XML does not end with </boost_serialization>");
}

}  // namespace ebm
