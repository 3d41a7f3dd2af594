#include "libebm/units/layer.hpp"

#include "libebm/error.hpp"

namespace ebm {

template <typename eT>
void Layer<eT>::states(arma::uword, arma::uword, Matrix&) const {
  throw ContractError("Layer::states(): unit type '" + type_name() + "' is not enumerable");
}

template class Layer<float>;
template class Layer<double>;

}  // namespace ebm
