#include "libebm/archive/clone.hpp"

#include "libebm/archive/payload.hpp"
#include "libebm/sampler.hpp"

namespace ebm {

namespace {

// Saves `block` through a pointer to its base (so the archive records its
// registered type) and loads a new object of that type.
template <class Base>
std::unique_ptr<Base> clone_through_archive(const Base& block, const char* caller) {
  const Base* pointer = &block;
  const std::string bytes = write_payload(ArchiveEncoding::binary, [&](auto& ar) {
    ar& boost::serialization::make_nvp("block", pointer);
  });
  Base* loaded = nullptr;
  std::unique_ptr<Base> copy;
  read_payload(caller, ArchiveEncoding::binary, bytes, [&](auto& ar) {
    ar& boost::serialization::make_nvp("block", loaded);
    copy.reset(loaded);
  });
  return copy;
}

}  // namespace

template <typename eT>
std::unique_ptr<Layer<eT>> clone_layer(const Layer<eT>& layer) {
  return clone_through_archive(layer, "clone_layer()");
}

template <typename eT>
std::unique_ptr<Sampler<eT>> clone_sampler(const Sampler<eT>& sampler) {
  return clone_through_archive(sampler, "clone_sampler()");
}

template std::unique_ptr<Layer<float>> clone_layer<float>(const Layer<float>&);
template std::unique_ptr<Layer<double>> clone_layer<double>(const Layer<double>&);
template std::unique_ptr<Sampler<float>> clone_sampler<float>(const Sampler<float>&);
template std::unique_ptr<Sampler<double>> clone_sampler<double>(const Sampler<double>&);

}  // namespace ebm
