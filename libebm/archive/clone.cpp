#include "libebm/archive/clone.hpp"

#include "libebm/archive/payload.hpp"

namespace ebm {

template <typename eT>
std::unique_ptr<Layer<eT>> clone_layer(const Layer<eT>& layer) {
  const Layer<eT>* pointer = &layer;
  const std::string bytes = write_payload(ArchiveEncoding::binary, [&](auto& ar) {
    ar& boost::serialization::make_nvp("layer", pointer);
  });
  Layer<eT>* loaded = nullptr;
  std::unique_ptr<Layer<eT>> copy;
  read_payload("clone_layer()", ArchiveEncoding::binary, bytes, [&](auto& ar) {
    ar& boost::serialization::make_nvp("layer", loaded);
    copy.reset(loaded);
  });
  return copy;
}

template std::unique_ptr<Layer<float>> clone_layer<float>(const Layer<float>&);
template std::unique_ptr<Layer<double>> clone_layer<double>(const Layer<double>&);

}  // namespace ebm
