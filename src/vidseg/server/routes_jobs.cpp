// Videos, jobs, their result files and logs.
#include <nlohmann/json.hpp>

#include "vidseg/core/safe_path.hpp"
#include "vidseg/platform/api_error.hpp"
#include "vidseg/platform/video_json.hpp"
#include "vidseg/server/router.hpp"

namespace vidseg::server {

using nlohmann::json;
using platform::ApiError;

namespace {

std::vector<std::int64_t> id_list(const json& body) {
    const auto it = body.find("video_ids");
    if (it == body.end() || !it->is_array())
        throw ApiError(400, "bad_request", "'video_ids' must be an array of ids");
    std::vector<std::int64_t> ids;
    for (const auto& v : *it) {
        if (!v.is_number_integer()) throw ApiError(400, "bad_request", "'video_ids' must hold integer ids");
        ids.push_back(v.get<std::int64_t>());
    }
    return ids;
}

}  // namespace

void add_video_and_job_routes(Router& router) {
    auto& platform = router.platform();

    // The busiest route: the JSON text is written from the rows, the stored media summaries spliced in.
    router.add("GET", "/api/videos", "GET /api/videos", Access::User, [&platform](Exchange& x) {
        x.send_json_text(200, platform::video_list_json(platform.videos(x.who())));
    });
    router.add("GET", R"(/api/videos/([^/]+))", "GET /api/videos/{id}", Access::User, [&platform](Exchange& x) {
        x.send_json_text(200, platform::video_json(platform.video(x.who(), x.id())));
    });
    // The stored video itself, for the UI's player (byte ranges: seeking), or a presigned URL.
    router.add("GET", R"(/api/videos/([^/]+)/file)", "GET /api/videos/{id}/file", Access::User,
               [&platform](Exchange& x) {
                   const auto video = platform.video(x.who(), x.id());
                   auto& store = platform.store();
                   if (const auto url = store.presigned_get_url(video.key, std::chrono::seconds{0})) {
                       x.response.set_redirect(*url);
                       return;
                   }
                   const auto info = store.stat(video.key);
                   if (!info)
                       throw ApiError(
                           404, "not_found",
                           "the file of video " + std::to_string(video.id) + " is not stored (yet)");
                   const auto size = info->size;
                   const std::string key = video.key;
                   x.response.set_header("Content-Disposition",
                                         "inline; filename=\"" + vidseg::safe_file_name(video.name) + "\"");
                   x.response.set_content_provider(
                       size, storage::content_type_for(video.key).c_str(),
                       [&store, key](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                           store.read(
                               key, [&sink](const char* data, std::size_t n) { sink.write(data, n); }, offset,
                               length);
                           return true;
                       });
               });
    router.add("DELETE", R"(/api/videos/([^/]+))", "DELETE /api/videos/{id}", Access::User,
               [&platform](Exchange& x) {
                   platform.delete_video(x.who(), x.id(), x.ip);
                   x.send_json(200, {{"deleted", true}});
               });

    router.add("GET", "/api/jobs", "GET /api/jobs", Access::User, [&platform](Exchange& x) {
        json out = json::array();
        for (const auto& j : platform.jobs(x.who())) out.push_back(platform::to_json(j));
        x.send_json(200, {{"jobs", out}});
    });
    router.add("POST", "/api/jobs", "POST /api/jobs", Access::User, [&platform](Exchange& x) {
        const auto body = x.json_body();
        const auto kind = body.find("kind");
        if (kind == body.end() || !kind->is_string())
            throw ApiError(400, "bad_request", "'kind' is required");
        const json options = body.contains("options") ? body["options"] : json::object();
        const json inputs = body.contains("inputs") ? body["inputs"] : json::object();
        x.send_json(201, platform::to_json(platform.submit_job(x.who(), kind->get<std::string>(),
                                                               id_list(body), options, inputs, x.ip)));
    });
    router.add("GET", R"(/api/jobs/([^/]+))", "GET /api/jobs/{id}", Access::User, [&platform](Exchange& x) {
        x.send_json(200, platform::to_json(platform.job(x.who(), x.id())));
    });
    router.add("POST", R"(/api/jobs/([^/]+)/cancel)", "POST /api/jobs/{id}/cancel", Access::User,
               [&platform](Exchange& x) {
                   x.send_json(200, platform::to_json(platform.cancel_job(x.who(), x.id(), x.ip)));
               });
    router.add("POST", R"(/api/jobs/([^/]+)/retry)", "POST /api/jobs/{id}/retry", Access::User,
               [&platform](Exchange& x) {
                   x.send_json(200, platform::to_json(platform.retry_job(x.who(), x.id(), x.ip)));
               });
    router.add("GET", R"(/api/jobs/([^/]+)/log)", "GET /api/jobs/{id}/log", Access::User,
               [&platform](Exchange& x) {
                   json out = json::array();
                   for (const auto& l : platform.job_log(x.who(), x.id()))
                       out.push_back({{"time", l.time}, {"line", l.line}});
                   x.send_json(200, {{"lines", out}});
               });
    router.add(
        "GET", R"(/api/jobs/([^/]+)/files)", "GET /api/jobs/{id}/files", Access::User,
        [&platform](Exchange& x) {
            const auto id = x.id();
            json out = json::array();
            for (const auto& f : platform.job_files(x.who(), id)) {
                auto url = platform.store().presigned_get_url(f.key, std::chrono::seconds{0});
                out.push_back({{"name", f.name},
                               {"size", f.size},
                               {"key", f.key},
                               {"url", url ? *url : "/api/jobs/" + std::to_string(id) + "/files/" + f.name}});
            }
            x.send_json(200, {{"files", out}});
        });
    router.add("GET", R"(/api/jobs/([^/]+)/files/(.+))", "GET /api/jobs/{id}/files/{name}", Access::User,
               [&platform](Exchange& x) {
                   const auto target = platform.job_file(x.who(), x.id(), x.param(2));
                   if (target.presigned_url) {
                       x.response.set_redirect(*target.presigned_url);
                       return;
                   }
                   const std::string key = target.file.key;
                   auto& store = platform.store();
                   x.response.set_header(
                       "Content-Disposition",
                       "attachment; filename=\"" +
                           vidseg::safe_file_name(target.file.name.substr(target.file.name.rfind('/') + 1)) +
                           "\"");
                   // cpp-httplib 0.11 takes a provider of length 0 for one without a length and asks it
                   // for more until it ends the sink: it spun at 100% CPU on an empty file (an EDL of an
                   // episode without intro). An empty file is an empty answer.
                   if (target.file.size == 0)
                       return x.response.set_content("", storage::content_type_for(target.file.name).c_str());
                   x.response.set_content_provider(
                       target.file.size, storage::content_type_for(target.file.name).c_str(),
                       [&store, key](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                           store.read(
                               key, [&sink](const char* data, std::size_t size) { sink.write(data, size); },
                               offset, length);
                           return true;
                       });
               });
}

}  // namespace vidseg::server
