// The options of `vidseg dataset agreement`, for every front end (the CLI and the MCP server's
// dataset_agreement tool): one table, and one function that reads the exports, computes the
// agreement and writes the consensus the options ask for.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "vidseg/core/options.hpp"
#include "vidseg/eval/agreement.hpp"

namespace vidseg::eval {

// The option table of `vidseg dataset agreement` (EXPORT..., --iou, --bin, --consensus, ...).
CommandSpec dataset_agreement_command_spec();

struct AgreementRun {
    Corpus corpus;
    AgreementReport report;
    bool matched_patterns = false;            // --patterns given: corpus.labels tells what matched
    std::vector<ConsensusSegment> consensus;  // with --consensus
    std::string consensus_path;               // "" without --consensus
    std::vector<std::string> warnings;        // of the exports, "PATH: warning"
};

// Reads the EXPORT positionals with the options, computes the agreement, writes --consensus.
// Throws InvalidArgument with fewer than two annotators or frame-numbered labels without an fps.
AgreementRun run_dataset_agreement(const ParsedOptions& options);

// The --json document: the report, units, unmatched labels (with --patterns), consensus path and size.
nlohmann::json to_json(const AgreementRun& run);

}  // namespace vidseg::eval
