// The subcommands of the `ebm` tool, one file each (tools/command_*.cpp).
// Each takes the arguments after its own name and returns the exit status;
// bad input is reported by throwing ebm::InputError (status 2).
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <vector>

#include "libebm/io/json.hpp"

namespace ebm::tool {

int train(int argc, char** argv);
int info(int argc, char** argv);
int evaluate(int argc, char** argv);
int sample(int argc, char** argv);
int convert(int argc, char** argv);
int recommend(int argc, char** argv);  // tools/command_recommend.cpp (issue 4)
int split(int argc, char** argv);      // tools/command_split.cpp (issue 4)
int classify(int argc, char** argv);  // readout accuracy of a model's features (or raw data)

/// Parses a subcommand's options; prints `usage` and the options for --help
/// (returns false then: the caller exits 0).  Errors become InputError
/// "ebm <command>: ...".
bool parse_command_line(const std::string& command, const std::string& usage, int argc, char** argv,
                        boost::program_options::options_description& options,
                        const boost::program_options::positional_options_description& positional,
                        boost::program_options::variables_map& values);

using ebm::json_number;
using ebm::json_string;

}  // namespace ebm::tool
