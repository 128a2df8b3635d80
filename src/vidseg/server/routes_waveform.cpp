// A video's waveform peaks (platform/video_waveform.hpp), which the video page's waveform draws.
#include "vidseg/platform/video_waveform.hpp"
#include "vidseg/server/platform_extra_routes.hpp"

namespace vidseg::server {

void add_waveform_routes(Router& router) {
    auto& platform = router.platform();
    router.add("GET", R"(/api/videos/([^/]+)/peaks)", "GET /api/videos/{id}/peaks", Access::User,
               [&platform](Exchange& x) {
                   x.send_json_text(200, platform::video_peaks(platform, x.who(), x.id()));
                   x.response.set_header("Cache-Control", "private, max-age=3600");
               });
}

}  // namespace vidseg::server
