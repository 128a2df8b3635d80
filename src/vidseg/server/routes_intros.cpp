// The web intros page (platform/intro_corrections.hpp): the caller's series with their episodes'
// intros, a boundary corrected by hand, and a series' intros as intro labels (SPEC §2 form A).
#include <nlohmann/json.hpp>

#include "vidseg/platform/intro_corrections.hpp"
#include "vidseg/server/router.hpp"

namespace vidseg::server {

void add_intro_routes(Router& router) {
    auto& platform = router.platform();

    router.add("GET", "/api/intros", "GET /api/intros", Access::User,
               [&platform](Exchange& x) { x.send_json(200, platform::intro_series(platform, x.who())); });
    router.add("PUT", R"(/api/intros/([^/]+)/episodes/([^/]+))", "PUT /api/intros/{job}/episodes/{video}",
               Access::User, [&platform](Exchange& x) {
                   const auto job = x.id(1);
                   const auto video = x.id(2);
                   const auto body = x.json_body();
                   x.send_json(200, platform::correct_intro(platform, x.who(), job, video, body, x.ip));
               });
    router.add("POST", R"(/api/intros/([^/]+)/relearn)", "POST /api/intros/{job}/relearn", Access::User,
               [&platform](Exchange& x) {
                   x.send_json(201, platform::to_json(platform::relearn_intro_library(platform, x.who(), x.id(), x.ip)));
               });
    router.add("GET", R"(/api/intros/([^/]+)/labels\.json)", "GET /api/intros/{job}/labels.json",
               Access::User, [&platform](Exchange& x) {
                   const auto job = x.id(1);
                   const auto labels = platform::intro_labels_of(platform, x.who(), job);
                   x.response.set_header("Content-Disposition", "attachment; filename=\"intro_labels_job_" +
                                                                    std::to_string(job) + ".json\"");
                   x.response.set_content(labels.dump(2) + "\n", "application/json");
               });
}

}  // namespace vidseg::server
