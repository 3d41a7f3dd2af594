// Boost.Serialization of Armadillo matrices: shape, then the elements as
// one array (a single block write in binary archives).
#pragma once

#include <algorithm>
#include <armadillo>
#include <cstdint>
#include <boost/archive/archive_exception.hpp>
#include <boost/serialization/array_wrapper.hpp>
#include <boost/serialization/nvp.hpp>
#include <boost/serialization/split_free.hpp>

namespace ebm::archive_detail {

/// The size of the payload being read (set by read_payload): no matrix in
/// it can have more elements than it has bytes, whatever its encoding, so a
/// corrupt size is caught before it becomes an allocation.
inline std::uint64_t& payload_bytes_limit() {
  thread_local std::uint64_t limit = ~std::uint64_t(0);
  return limit;
}

}  // namespace ebm::archive_detail

namespace boost {
namespace serialization {

template <class Archive, typename eT>
void save(Archive& ar, const arma::Mat<eT>& m, const unsigned int /*version*/) {
  std::uint64_t rows = m.n_rows, cols = m.n_cols;
  ar << make_nvp("n_rows", rows) << make_nvp("n_cols", cols);
  ar << make_nvp("elements", make_array(const_cast<eT*>(m.memptr()), m.n_elem));
}

template <class Archive, typename eT>
void load(Archive& ar, arma::Mat<eT>& m, const unsigned int /*version*/) {
  std::uint64_t rows = 0, cols = 0;
  ar >> make_nvp("n_rows", rows) >> make_nvp("n_cols", cols);
  // A corrupted size must not turn into a huge allocation: no matrix in a
  // model comes near 2^32 elements.
  const std::uint64_t limit = std::min<std::uint64_t>(std::uint64_t(1) << 32, ebm::archive_detail::payload_bytes_limit());
  if (rows > limit || cols > limit || (rows && cols > limit / rows))
    throw boost::archive::archive_exception(boost::archive::archive_exception::input_stream_error,
                                            "matrix size out of range");
  m.set_size(arma::uword(rows), arma::uword(cols));
  ar >> make_nvp("elements", make_array(m.memptr(), m.n_elem));
}

template <class Archive, typename eT>
void serialize(Archive& ar, arma::Mat<eT>& m, const unsigned int version) {
  split_free(ar, m, version);
}

}  // namespace serialization
}  // namespace boost
