// Class labels of a data set, one per sample: an IDX label file (optionally
// .gz, e.g. Fashion-MNIST's train-labels-idx1-ubyte.gz) or a CSV/text file
// with one integer per line (.csv, .txt).  Used by `ebm classify`, `ebm
// evaluate --labels` and the label units of a deep belief net
// (data.train_labels, data.test_labels).
#pragma once

#include <armadillo>
#include <cstdint>
#include <string>

namespace ebm {

/// The labels of `path` (the first `limit` of them when limit > 0).
/// InputError naming path:line and the value for anything but an integer
/// class 0, 1, 2, ...
arma::urowvec read_labels(const std::string& path, std::uint64_t limit = 0);

/// InputError unless `labels` has `n_samples` entries, each < `classes`
/// (when classes > 0); `what` names the labels (a file or a key) in the message.
void check_labels(const arma::urowvec& labels, arma::uword n_samples, arma::uword classes, const std::string& what,
                  const std::string& samples_what);

}  // namespace ebm
