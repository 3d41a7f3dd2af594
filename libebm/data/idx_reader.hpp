// Reader for the IDX format of (Fashion-)MNIST, plain or gzip-compressed.
//
// IDX (LeCun et al.): a 4-byte magic 0x00 0x00 <type code> <number of dims>,
// then one big-endian uint32 per dimension, then the data in row-major order.
// Images come back one sample per column; unsigned-byte pixels are scaled to
// [0, 1] by dividing by 255.
#pragma once

#include <armadillo>
#include <cstddef>
#include <string>

namespace ebm {

/// Reads an IDX file with at least 1 dimension whose first dimension counts
/// samples; each sample (all remaining dimensions, flattened row-major) becomes
/// one column.  `limit` > 0 keeps only the first `limit` samples.
/// Throws InputError naming the file for a missing file, a bad magic number,
/// an unsupported type code, or a file shorter than its header promises.
template <typename eT>
arma::Mat<eT> read_idx_images(const std::string& path, std::size_t limit = 0);

/// Reads a 1-dimensional unsigned-byte IDX file of class labels.
arma::urowvec read_idx_labels(const std::string& path, std::size_t limit = 0);

}  // namespace ebm
