// ebm info ARCHIVE [--json] [--config]: the archive's header, read without
// loading the weights; --config also prints the stored config.
#include <cstdio>

#include "libebm/archive/archive_file.hpp"
#include "libebm/archive/checkpoint.hpp"
#include "libebm/archive/model_archive.hpp"
#include "tools/commands.hpp"

namespace po = boost::program_options;

namespace ebm::tool {

namespace {

template <typename eT>
std::string stored_config(const std::string& path, const ArchiveHeader& h) {
  if (h.content == "checkpoint") return load_checkpoint<eT>(path).config;
  return load_model<eT>(path).config;
}

}  // namespace

int info(int argc, char** argv) {
  const std::string usage = "ebm info ARCHIVE [--json] [--config]";
  std::string path;
  bool json = false, show_config = false;
  po::options_description options("options");
  options.add_options()("json", po::bool_switch(&json), "print the header as one JSON object")(
      "config", po::bool_switch(&show_config), "also print the config stored in the archive (loads it)")(
      "archive", po::value<std::string>(&path)->required(), "model archive or checkpoint");
  po::positional_options_description positional;
  positional.add("archive", 1);
  po::variables_map values;
  if (!parse_command_line("info", usage, argc, argv, options, positional, values)) return 0;

  const ArchiveHeader h = read_archive_header(path);
  if (json) {
    std::printf("{\"path\":%s,\"format\":%u,\"library\":%s,\"content\":%s,\"type\":%s,\"scalar\":%s,\"encoding\":%s,"
                "\"payload_bytes\":%llu}\n",
                json_string(path).c_str(), h.format, json_string(h.library).c_str(), json_string(h.content).c_str(),
                json_string(h.model_type).c_str(), json_string(h.scalar).c_str(),
                json_string(encoding_name(h.encoding)).c_str(), (unsigned long long)h.payload_bytes);
  } else {
    std::printf("%s\n  archive format %u, written by ebm %s\n  content   %s\n  model     %s\n  scalar    %s\n"
                "  encoding  %s\n  payload   %llu bytes\n",
                path.c_str(), h.format, h.library.c_str(), h.content.c_str(), h.model_type.c_str(), h.scalar.c_str(),
                encoding_name(h.encoding).c_str(), (unsigned long long)h.payload_bytes);
  }
  if (show_config)
    std::printf("%s", (h.scalar == "double" ? stored_config<double>(path, h) : stored_config<float>(path, h)).c_str());
  return 0;
}

}  // namespace ebm::tool
