// Registering a block type: one line in the type's own .cpp,
//
//   EBM_REGISTER(ebm::EstimatorKind, ebm::PersistentContrastiveDivergence,
//                "persistent contrastive divergence (Tieleman 2008)")
//
// which, for the float and double instantiations, (1) adds its factory to
// the registry of its kind under TYPE<eT>::name, (2) exports it to
// Boost.Serialization as "<name>/float" and "<name>/double", and (3) records
// its option declarations (TYPE<float>::declare_options) for config files.
//
// The type must provide
//   static constexpr const char* name;                       // its one name
//   static void declare_options(BlockOptions&);             // its [name] options
//   static std::unique_ptr<TYPE> create(const BlockOptions&, ARGS...);  // ARGS per kind, below
//   template <class Archive> void serialize(Archive&, unsigned version);
// Include this header (it brings in the archive types) only in .cpp files,
// and write EBM_REGISTER at global scope (outside any namespace).  A name
// registered twice stops the program at start-up with a ContractError.
#pragma once

#include <boost/archive/binary_oarchive.hpp>
#include <boost/archive/text_oarchive.hpp>
#include <boost/archive/xml_oarchive.hpp>
#include <boost/serialization/base_object.hpp>
#include <boost/serialization/export.hpp>
#include <boost/serialization/nvp.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/unique_ptr.hpp>
#include <boost/serialization/vector.hpp>

#include "libebm/archive/arma_serialization.hpp"
// Archives are read only through ebm's checked input archives (not Boost's
// binary_iarchive etc., which trust the file): see input_archives.hpp.
#include "libebm/archive/input_archives.hpp"
#include "libebm/registry/kinds.hpp"

namespace ebm {

/// "<name>/float" or "<name>/double": the Boost.Serialization export key.
template <typename T, typename eT>
const char* export_key() {
  static const std::string key = std::string(T::name) + (sizeof(eT) == 4 ? "/float" : "/double");
  return key.c_str();
}

template <typename Kind, template <typename> class Type>
bool register_type(const char* summary) {
  TypeCatalog::instance().add(Kind::name, Type<float>::name, summary, &Type<float>::declare_options);
  Kind::template registry<float>::instance().add(Type<float>::name, [](const BlockOptions& o, auto&&... args) {
    return std::unique_ptr<typename Kind::template base<float>>(
        Type<float>::create(o, std::forward<decltype(args)>(args)...));
  });
  Kind::template registry<double>::instance().add(Type<double>::name, [](const BlockOptions& o, auto&&... args) {
    return std::unique_ptr<typename Kind::template base<double>>(
        Type<double>::create(o, std::forward<decltype(args)>(args)...));
  });
  return true;
}

}  // namespace ebm

#define EBM_CONCAT_INNER(a, b) a##b
#define EBM_CONCAT(a, b) EBM_CONCAT_INNER(a, b)

#define EBM_REGISTER(KIND, TYPE, SUMMARY)                                             \
  BOOST_CLASS_EXPORT_GUID(TYPE<float>, (::ebm::export_key<TYPE<float>, float>()))     \
  BOOST_CLASS_EXPORT_GUID(TYPE<double>, (::ebm::export_key<TYPE<double>, double>()))  \
  namespace {                                                                         \
  [[maybe_unused]] const bool EBM_CONCAT(ebm_registered_, __LINE__) =                 \
      ::ebm::register_type<KIND, TYPE>(SUMMARY);                                      \
  }
