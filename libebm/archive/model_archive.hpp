// Saving and loading models: any registered model, through its base class,
// with the config it was trained with.  See archive_file.hpp for the file
// layout and docs/archives.md for the format.
#pragma once

#include <memory>
#include <string>

#include "libebm/archive/archive_file.hpp"
#include "libebm/model.hpp"

namespace ebm {

template <typename eT>
struct LoadedModel {
  ArchiveHeader header;
  std::string config;  ///< the resolved config the model was trained with (INI text)
  std::unique_ptr<Model<eT>> model;
};

/// Writes `model` and `config` to `path` atomically.
template <typename eT>
void save_model(const std::string& path, const Model<eT>& model, const std::string& config,
                ArchiveEncoding encoding = ArchiveEncoding::binary);

/// Loads a model archive.  Throws InputError "path: ..." for a file that is
/// missing, not an archive, truncated, corrupted, from a newer format, a
/// checkpoint rather than a model, or of the other scalar type.
template <typename eT>
LoadedModel<eT> load_model(const std::string& path);

/// "float" or "double".
template <typename eT>
const char* scalar_name() {
  return sizeof(eT) == 4 ? "float" : "double";
}

}  // namespace ebm
