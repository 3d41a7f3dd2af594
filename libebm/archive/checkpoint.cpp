#include "libebm/archive/checkpoint.hpp"

#include <boost/serialization/utility.hpp>

#include "libebm/archive/model_archive.hpp"
#include "libebm/archive/payload.hpp"

namespace boost {
namespace serialization {

template <class Archive>
void serialize(Archive& ar, ebm::EpochRecord& r, const unsigned int) {
  std::uint64_t epoch = r.epoch;
  ar& make_nvp("epoch", epoch);
  r.epoch = epoch;
  ar& make_nvp("seconds", r.seconds);
  ar& make_nvp("measurements", r.measurements);
}

}  // namespace serialization
}  // namespace boost

namespace ebm {

template <typename eT>
void save_checkpoint(const std::string& path, const std::string& config, const Model<eT>& model,
                     const GradientEstimator<eT>& estimator, const UpdateRule<eT>& update_rule, const Rng& rng,
                     std::uint64_t steps, const std::vector<EpochRecord>& history, ArchiveEncoding encoding) {
  ArchiveHeader header;
  header.content = "checkpoint";
  header.model_type = model.type_name();
  header.scalar = scalar_name<eT>();
  header.encoding = encoding;
  const Model<eT>* m = &model;
  const GradientEstimator<eT>* e = &estimator;
  const UpdateRule<eT>* u = &update_rule;
  std::string config_copy = config, rng_state = rng.state();
  std::vector<EpochRecord> history_copy = history;
  const std::string payload = write_payload(encoding, [&](auto& ar) {
    using boost::serialization::make_nvp;
    ar& make_nvp("config", config_copy);
    ar& make_nvp("model", m);
    ar& make_nvp("estimator", e);
    ar& make_nvp("update_rule", u);
    ar& make_nvp("rng", rng_state);
    ar& make_nvp("steps", steps);
    ar& make_nvp("history", history_copy);
  });
  write_archive(path, header, payload);
}

template <typename eT>
TrainingCheckpoint<eT> load_checkpoint(const std::string& path) {
  TrainingCheckpoint<eT> c;
  const std::string payload = read_archive_payload(path, c.header);
  if (c.header.content != "checkpoint")
    throw InputError(path + ": is a " + c.header.content + " archive, not a checkpoint");
  if (c.header.scalar != scalar_name<eT>())
    throw InputError(path + ": holds a " + c.header.scalar + " model, expected " + scalar_name<eT>());
  Model<eT>* m = nullptr;
  GradientEstimator<eT>* e = nullptr;
  UpdateRule<eT>* u = nullptr;
  read_payload(path, c.header.encoding, payload, [&](auto& ar) {
    using boost::serialization::make_nvp;
    ar& make_nvp("config", c.config);
    ar& make_nvp("model", m);
    c.model.reset(m);
    ar& make_nvp("estimator", e);
    c.estimator.reset(e);
    ar& make_nvp("update_rule", u);
    c.update_rule.reset(u);
    ar& make_nvp("rng", c.rng_state);
    ar& make_nvp("steps", c.steps);
    ar& make_nvp("history", c.history);
  });
  if (!c.model || !c.estimator || !c.update_rule) throw InputError(path + ": the checkpoint is incomplete");
  if (const std::string problem = c.model->check_structure(); !problem.empty())
    throw InputError(path + ": corrupted model: " + problem);
  return c;
}

template void save_checkpoint<float>(const std::string&, const std::string&, const Model<float>&,
                                     const GradientEstimator<float>&, const UpdateRule<float>&, const Rng&,
                                     std::uint64_t, const std::vector<EpochRecord>&, ArchiveEncoding);
template void save_checkpoint<double>(const std::string&, const std::string&, const Model<double>&,
                                      const GradientEstimator<double>&, const UpdateRule<double>&, const Rng&,
                                      std::uint64_t, const std::vector<EpochRecord>&, ArchiveEncoding);
template TrainingCheckpoint<float> load_checkpoint<float>(const std::string&);
template TrainingCheckpoint<double> load_checkpoint<double>(const std::string&);

}  // namespace ebm
