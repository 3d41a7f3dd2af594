// A deep copy of any registered block through its base class, made by a
// round trip through an in-memory binary archive: works for every type that
// can be saved, including types defined outside libebm, without each type
// writing a clone() of its own.
#pragma once

#include <memory>

#include "libebm/units/layer.hpp"

namespace ebm {

template <typename eT>
class Sampler;

template <typename eT>
std::unique_ptr<Layer<eT>> clone_layer(const Layer<eT>& layer);

/// A sampler of the same type and options (what it serializes; scratch
/// and caches start empty): one per thread for samplers run on column
/// blocks (libebm/column_blocks.hpp).
template <typename eT>
std::unique_ptr<Sampler<eT>> clone_sampler(const Sampler<eT>& sampler);

}  // namespace ebm
