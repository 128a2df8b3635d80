// Helpers of the `vidseg intro` integration tests: the generated seasons' truth and the command's
// --json output.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"
#include "vidseg/intro/intro_labels.hpp"

namespace vidseg::test {

// truth.json of a generated season (tests/media/make_*.sh): episode file name -> intro (none: no intro).
inline std::map<std::string, std::optional<timeline::Interval>> intro_truth(const std::filesystem::path& dir) {
    std::map<std::string, std::optional<timeline::Interval>> out;
    for (const auto& l : intro::read_intro_labels(dir / "truth.json").labels)
        out[std::filesystem::path(l.id).filename().string()] = l.intro;
    return out;
}

// The command's stdout as JSON (a test failure when it is not).
inline nlohmann::json parse_json_output(const CommandResult& r) {
    const auto doc = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_FALSE(doc.is_discarded()) << r.out << r.err;
    return doc;
}

// Every episode entry of an `intro detect --json` document, by file name.
inline std::map<std::string, nlohmann::json> episodes_by_name(const nlohmann::json& doc) {
    std::map<std::string, nlohmann::json> out;
    for (const auto& e : doc["episodes"])
        out[std::filesystem::path(e["episode"].get<std::string>()).filename().string()] = e;
    return out;
}

inline void expect_intro_near(const nlohmann::json& entry, const timeline::Interval& want, double tolerance = 0.3) {
    ASSERT_TRUE(entry.contains("intro") && entry["intro"].is_array()) << entry.dump();
    EXPECT_NEAR(entry["intro"][0].get<double>(), want.start, tolerance) << entry.dump();
    EXPECT_NEAR(entry["intro"][1].get<double>(), want.end, tolerance) << entry.dump();
}

}  // namespace vidseg::test
