// BOOST_CLASS_VERSION for class templates over the element type: every
// archived class states its version; its serialize() loads every older one.
#pragma once

#include <boost/mpl/int.hpp>
#include <boost/mpl/integral_c_tag.hpp>
#include <boost/serialization/version.hpp>

/// EBM_CLASS_VERSION(ebm::BernoulliLayer, 0): at global scope, after the
/// class template.  Bump N when the archived members change, and keep an
/// `if (version < N)` branch that loads the old layout plus a fixture
/// archive of the old version under tests/data/archives/.
#define EBM_CLASS_VERSION(TEMPLATE, N)                                  \
  namespace boost {                                                     \
  namespace serialization {                                             \
  template <typename eT>                                                \
  struct version<TEMPLATE<eT>> {                                        \
    typedef mpl::int_<N> type;                                          \
    typedef mpl::integral_c_tag tag;                                    \
    BOOST_STATIC_CONSTANT(int, value = version::type::value);           \
  };                                                                    \
  }                                                                     \
  }
