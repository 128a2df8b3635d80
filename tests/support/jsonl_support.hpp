// The rows of a JSON Lines file (metadata.jsonl and the like), for tests.
#pragma once

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

namespace vidseg::test {

inline std::vector<nlohmann::json> read_jsonl(const std::filesystem::path& file) {
    std::vector<nlohmann::json> rows;
    std::istringstream in(read_text(file));
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
    return rows;
}

}  // namespace vidseg::test
