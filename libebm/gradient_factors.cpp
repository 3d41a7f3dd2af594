#include "libebm/gradient_factors.hpp"

#include <string>

#include "libebm/error.hpp"
#include "libebm/gemm.hpp"

namespace ebm {

template <typename eT>
void FactoredGradient<eT>::reset(std::size_t n) {
  gradient.resize(n);
  factors.resize(n);
  for (auto& f : factors) f.clear();
}

template <typename eT>
bool FactoredGradient<eT>::any_factored() const {
  for (const auto& f : factors)
    if (!f.empty()) return true;
  return false;
}

template <typename eT>
void FactoredGradient<eT>::accumulate(std::size_t i, eT scale, eT beta, Matrix& target) const {
  if (!is_factored(i))
    throw ContractError("FactoredGradient::accumulate(): parameter " + std::to_string(i) + " is not factored");
  bool first = true;
  for (const OuterProduct<eT>& t : factors[i]) {
    gemm(false, true, scale * t.alpha, *t.left, *t.right, first ? beta : eT(1), target);
    first = false;
  }
}

template <typename eT>
void FactoredGradient<eT>::materialise() {
  for (std::size_t i = 0; i < factors.size(); ++i) {
    if (factors[i].empty()) continue;
    if (gradient.size() <= i) gradient.resize(factors.size());
    accumulate(i, eT(1), eT(0), gradient[i]);
    factors[i].clear();
  }
}

template struct FactoredGradient<float>;
template struct FactoredGradient<double>;

}  // namespace ebm
