#include "libebm/archive/model_archive.hpp"

#include "libebm/archive/payload.hpp"

namespace ebm {

template <typename eT>
void save_model(const std::string& path, const Model<eT>& model, const std::string& config, ArchiveEncoding encoding) {
  ArchiveHeader header;
  header.content = "model";
  header.model_type = model.type_name();
  header.scalar = scalar_name<eT>();
  header.encoding = encoding;
  const Model<eT>* pointer = &model;
  std::string config_copy = config;
  const std::string payload = write_payload(encoding, [&](auto& ar) {
    ar& boost::serialization::make_nvp("config", config_copy);
    ar& boost::serialization::make_nvp("model", pointer);
  });
  write_archive(path, header, payload);
}

template <typename eT>
LoadedModel<eT> load_model(const std::string& path) {
  LoadedModel<eT> loaded;
  const std::string payload = read_archive_payload(path, loaded.header);
  if (loaded.header.content != "model")
    throw InputError(path + ": is a " + loaded.header.content + ", not a model archive" +
                     (loaded.header.content == "checkpoint" ? " (resume it with ebm train --resume)" : ""));
  if (loaded.header.scalar != scalar_name<eT>())
    throw InputError(path + ": holds a " + loaded.header.scalar + " model, expected " + scalar_name<eT>());
  Model<eT>* pointer = nullptr;
  read_payload(path, loaded.header.encoding, payload, [&](auto& ar) {
    ar& boost::serialization::make_nvp("config", loaded.config);
    ar& boost::serialization::make_nvp("model", pointer);
    loaded.model.reset(pointer);  // owned now: what follows may still throw (the XML trailer)
  });
  if (!loaded.model) throw InputError(path + ": the archive holds no model");
  if (const std::string problem = loaded.model->check_structure(); !problem.empty())
    throw InputError(path + ": corrupted model: " + problem);
  if (loaded.model->type_name() != loaded.header.model_type)
    throw InputError(path + ": corrupted: header says model type '" + loaded.header.model_type + "', payload holds '" +
                     loaded.model->type_name() + "'");
  return loaded;
}

template void save_model<float>(const std::string&, const Model<float>&, const std::string&, ArchiveEncoding);
template void save_model<double>(const std::string&, const Model<double>&, const std::string&, ArchiveEncoding);
template LoadedModel<float> load_model<float>(const std::string&);
template LoadedModel<double> load_model<double>(const std::string&);

}  // namespace ebm
