// ebm convert IN OUT --format binary|text|xml: rewrites a model archive or a
// checkpoint in another encoding; every value is preserved exactly.
#include "libebm/archive/checkpoint.hpp"
#include "libebm/archive/model_archive.hpp"
#include "tools/commands.hpp"

namespace po = boost::program_options;

namespace ebm::tool {

namespace {

template <typename eT>
void convert_archive(const std::string& in, const std::string& out, ArchiveEncoding encoding,
                     const ArchiveHeader& header) {
  if (header.content == "checkpoint") {
    TrainingCheckpoint<eT> c = load_checkpoint<eT>(in);
    Rng rng;
    rng.set_state(c.rng_state);
    save_checkpoint(out, c.config, *c.model, *c.estimator, *c.update_rule, rng, c.steps, c.history, encoding);
  } else {
    LoadedModel<eT> m = load_model<eT>(in);
    save_model(out, *m.model, m.config, encoding);
  }
}

}  // namespace

int convert(int argc, char** argv) {
  const std::string usage = "ebm convert IN OUT --format binary|text|xml";
  std::string in, out, format;
  po::options_description options("options");
  options.add_options()("format", po::value<std::string>(&format)->required(), "binary, text or xml")(
      "in", po::value<std::string>(&in)->required(), "archive to read")(
      "out", po::value<std::string>(&out)->required(), "archive to write (atomically)");
  po::positional_options_description positional;
  positional.add("in", 1).add("out", 1);
  po::variables_map values;
  if (!parse_command_line("convert", usage, argc, argv, options, positional, values)) return 0;
  const ArchiveEncoding encoding = parse_encoding(format);
  const ArchiveHeader header = read_archive_header(in);
  if (header.scalar == "double") convert_archive<double>(in, out, encoding, header);
  else convert_archive<float>(in, out, encoding, header);
  return 0;
}

}  // namespace ebm::tool
