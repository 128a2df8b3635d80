// The web review of a finished dataset build job (platform/dataset_review.hpp): its fragments and
// keyframe candidates, one decision at a time into the draft review.jsonl, the draft itself, and the
// re-build with the decisions. Same access rules as the job's other routes (another user's job: 404).
#include <nlohmann/json.hpp>

#include "vidseg/platform/dataset_review.hpp"
#include "vidseg/server/router.hpp"

namespace vidseg::server {

void add_review_routes(Router& router) {
    auto& platform = router.platform();

    router.add(
        "GET", R"(/api/jobs/([^/]+)/review)", "GET /api/jobs/{id}/review", Access::User,
        [&platform](Exchange& x) { x.send_json(200, platform::dataset_review(platform, x.who(), x.id())); });
    router.add("POST", R"(/api/jobs/([^/]+)/review)", "POST /api/jobs/{id}/review", Access::User,
               [&platform](Exchange& x) {
                   const auto id = x.id();
                   const auto body = x.json_body();
                   x.send_json(200, platform::add_review_decision(platform, x.who(), id, body, x.ip));
               });
    router.add("GET", R"(/api/jobs/([^/]+)/review\.jsonl)", "GET /api/jobs/{id}/review.jsonl", Access::User,
               [&platform](Exchange& x) {
                   const auto id = x.id();
                   const std::string text = platform::review_draft_text(platform, x.who(), id);
                   x.response.set_header("Content-Disposition", "attachment; filename=\"job_" +
                                                                    std::to_string(id) + "_review.jsonl\"");
                   x.response.set_content(text, "application/x-ndjson");
               });
    router.add("POST", R"(/api/jobs/([^/]+)/rebuild)", "POST /api/jobs/{id}/rebuild", Access::User,
               [&platform](Exchange& x) {
                   x.send_json(201, platform::to_json(
                                        platform::rebuild_with_review(platform, x.who(), x.id(), x.ip)));
               });
}

}  // namespace vidseg::server
