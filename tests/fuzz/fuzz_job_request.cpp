// The JSON body of `vidseg serve`'s POST /api/jobs as the route reads it (server/routes_jobs.cpp:
// a JSON object, "kind", "video_ids", "options", "inputs") and checks it: platform::validate_job_request, which
// parses the options by the command's own option table (core/options.hpp).
#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "vidseg/platform/job_kinds.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using nlohmann::json;
    const json body = json::parse(data, data + size, nullptr, false);
    if (body.is_discarded() || !body.is_object()) return 0;  // the route answers 400 bad_json
    const auto kind = body.find("kind");
    const auto ids = body.find("video_ids");
    if (kind == body.end() || !kind->is_string() || ids == body.end() || !ids->is_array()) return 0;
    std::vector<std::int64_t> video_ids;
    for (const auto& id : *ids) {
        if (!id.is_number_integer()) return 0;
        video_ids.push_back(id.get<std::int64_t>());
    }
    const json options = body.contains("options") ? body["options"] : json::object();
    const json inputs = body.contains("inputs") ? body["inputs"] : json::object();
    vidseg::fuzz::refusing_only_with_errors(
        [&] { vidseg::platform::validate_job_request(kind->get<std::string>(), video_ids, options, inputs); });
    return 0;
}
