// A deep copy of any registered block through its base class, made by a
// round trip through an in-memory binary archive: works for every type that
// can be saved, including types defined outside libebm, without each type
// writing a clone() of its own.
#pragma once

#include <memory>

#include "libebm/units/layer.hpp"

namespace ebm {

template <typename eT>
std::unique_ptr<Layer<eT>> clone_layer(const Layer<eT>& layer);

}  // namespace ebm
