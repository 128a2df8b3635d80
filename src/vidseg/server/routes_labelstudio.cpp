// The Label Studio connection (issue 12 §2): projects made from a pattern list, pulls, the webhook
// Label Studio calls, agreement, a dataset build from the pulled annotations, and the signed media links
// Label Studio's editor plays a local store's videos from. The work is platform::LabelStudioService's.
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "vidseg/core/safe_path.hpp"
#include "vidseg/platform/api_error.hpp"
#include "vidseg/platform/crypto.hpp"
#include "vidseg/platform/label_studio_webhook_log.hpp"
#include "vidseg/server/router.hpp"

namespace vidseg::server {

using nlohmann::json;
using platform::ApiError;

namespace {

// `patterns`: the list as text (a .txt list unless `patterns_file_name` says .csv) or
// {"file_name": "patterns.xlsx", "content_base64": "..."} for an uploaded file.
platform::PatternFile pattern_file(const json& body) {
    const auto it = body.find("patterns");
    if (it == body.end())
        throw ApiError(400, "bad_request", "'patterns' is required (text, or {file_name, content_base64})");
    if (it->is_string())
        return {body.value("patterns_file_name", std::string("patterns.txt")), it->get<std::string>()};
    if (it->is_object() && it->value("file_name", json()).is_string() &&
        it->value("content_base64", json()).is_string()) {
        auto bytes = platform::base64_decode((*it)["content_base64"].get<std::string>());
        if (!bytes) throw ApiError(400, "bad_request", "'patterns.content_base64' is not base64");
        return {(*it)["file_name"].get<std::string>(), std::move(*bytes)};
    }
    throw ApiError(400, "bad_request", "'patterns' must be text or {file_name, content_base64}");
}

std::vector<std::int64_t> video_ids(const json& body) {
    const auto it = body.find("video_ids");
    if (it == body.end() || !it->is_array() || it->empty())
        throw ApiError(400, "bad_request", "'video_ids' must be a non-empty array of ids");
    std::vector<std::int64_t> ids;
    for (const auto& v : *it) {
        if (!v.is_number_integer()) throw ApiError(400, "bad_request", "'video_ids' must hold integer ids");
        ids.push_back(v.get<std::int64_t>());
    }
    return ids;
}

double query_number(const Exchange& x, const char* name, double fallback) {
    if (!x.request.has_param(name)) return fallback;
    const std::string text = x.request.get_param_value(name);
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0')
        throw ApiError(400, "bad_request", std::string("'") + name + "' must be a number");
    return value;
}

}  // namespace

void add_label_studio_routes(Router& router, const std::shared_ptr<platform::LabelStudioService>& service) {
    auto& platform = router.platform();
    auto& ls = *service;

    router.add("GET", "/api/labelstudio", "GET /api/labelstudio", Access::User,
               [service](Exchange& x) { x.send_json(200, service->status()); });
    router.add("GET", "/api/labelstudio/projects", "GET /api/labelstudio/projects", Access::User,
               [&ls](Exchange& x) {
                   json out = json::array();
                   for (const auto& p : ls.projects(x.who())) out.push_back(platform::to_json(p));
                   x.send_json(200, {{"projects", out}});
               });
    router.add("POST", "/api/labelstudio/projects", "POST /api/labelstudio/projects", Access::User,
               [&ls](Exchange& x) {
                   const auto body = x.json_body();
                   const auto name = body.find("name");
                   if (name == body.end() || !name->is_string())
                       throw ApiError(400, "bad_request", "'name' is required");
                   x.send_json(
                       201, platform::to_json(ls.create_project(x.who(), name->get<std::string>(),
                                                                pattern_file(body), video_ids(body), x.ip)));
               });
    router.add("GET", R"(/api/labelstudio/projects/([^/]+))", "GET /api/labelstudio/projects/{id}",
               Access::User,
               [&ls](Exchange& x) { x.send_json(200, platform::to_json(ls.project(x.who(), x.id()))); });
    router.add("DELETE", R"(/api/labelstudio/projects/([^/]+))", "DELETE /api/labelstudio/projects/{id}",
               Access::User, [&ls](Exchange& x) {
                   const bool remote = x.request.has_param("label_studio") &&
                                       x.request.get_param_value("label_studio") == "true";
                   ls.remove(x.who(), x.id(), remote, x.ip);
                   x.response.status = 204;
               });
    // The project's webhook live state: whether Label Studio has its webhook, the last delivery and the
    // history of the newest deliveries (label_studio_webhook_log.hpp).
    router.add("GET", R"(/api/labelstudio/projects/([^/]+)/webhook)", "GET /api/labelstudio/projects/{id}/webhook",
               Access::User, [&ls, &platform = router.platform()](Exchange& x) {
                   const auto p = ls.project(x.who(), x.id());
                   x.send_json(200, platform::webhook_state(platform.catalog(), p));
               });
    router.add("POST", R"(/api/labelstudio/projects/([^/]+)/retry)",
               "POST /api/labelstudio/projects/{id}/retry", Access::User,
               [&ls](Exchange& x) { x.send_json(200, platform::to_json(ls.retry(x.who(), x.id(), x.ip))); });
    router.add("POST", R"(/api/labelstudio/projects/([^/]+)/pull)",
               "POST /api/labelstudio/projects/{id}/pull", Access::User,
               [&ls](Exchange& x) { x.send_json(200, ls.pull(x.who(), x.id(), x.ip)); });
    router.add("GET", R"(/api/labelstudio/projects/([^/]+)/annotations)",
               "GET /api/labelstudio/projects/{id}/annotations", Access::User, [&ls](Exchange& x) {
                   json out = json::array();
                   for (const auto& a : ls.stored_annotations(x.who(), x.id()))
                       out.push_back(platform::to_json(a));
                   x.send_json(200, {{"annotations", out}});
               });
    router.add("GET", R"(/api/labelstudio/projects/([^/]+)/agreement)",
               "GET /api/labelstudio/projects/{id}/agreement", Access::User, [&ls](Exchange& x) {
                   x.send_json(200,
                               ls.agreement(x.who(), x.id(), query_number(x, "iou", 0.5),
                                            query_number(x, "bin", 1.0), query_number(x, "min_kappa", 0.6)));
               });
    router.add("GET", R"(/api/labelstudio/projects/([^/]+)/consensus)",
               "GET /api/labelstudio/projects/{id}/consensus", Access::User, [&ls](Exchange& x) {
                   const auto doc =
                       ls.consensus(x.who(), x.id(), query_number(x, "iou", 0.5), query_number(x, "bin", 1.0),
                                    query_number(x, "min_kappa", 0.6));
                   x.response.set_header("Content-Disposition", "attachment; filename=\"consensus_project_" +
                                                                    std::to_string(x.id()) + ".json\"");
                   x.send_json(200, doc);
               });
    router.add("POST", R"(/api/labelstudio/projects/([^/]+)/build)",
               "POST /api/labelstudio/projects/{id}/build", Access::User, [&ls](Exchange& x) {
                   const auto body = x.json_body();
                   const json options = body.contains("options") ? body["options"] : json::object();
                   const json review = body.contains("review") ? body["review"] : json();
                   x.send_json(201, platform::to_json(ls.build(x.who(), x.id(), options, review, x.ip)));
               });
    // Called by Label Studio: authenticated by the shared secret header, not by a vidseg token.
    router.add("POST", "/api/labelstudio/webhook", "POST /api/labelstudio/webhook", Access::Public,
               [&ls](Exchange& x) {
                   const auto body = x.json_body();
                   x.send_json(200,
                               ls.webhook(x.request.get_header_value(platform::kWebhookSecretHeader), body));
               });
    // Media for Label Studio's editor from a local store: the link itself is the credential.
    router.add("GET", R"(/api/labelstudio/media/(\d{1,18})/(video|audio)/(\d{1,18})/([0-9a-f]{64})/[^/]+)",
               "GET /api/labelstudio/media/{video}/{kind}/{expires}/{signature}/{name}", Access::Public,
               [&ls, &platform](Exchange& x) {
                   const auto target =
                       ls.media(std::stoll(x.param(1)), x.param(2), std::stoll(x.param(3)), x.param(4));
                   auto& store = platform.store();
                   const auto info = store.stat(target.key);
                   if (!info) throw platform::not_found("the media file");
                   const std::string key = target.key;
                   x.response.set_header("Content-Disposition",
                                         "inline; filename=\"" + vidseg::safe_file_name(target.name) + "\"");
                   x.response.set_header("Access-Control-Allow-Origin",
                                         "*");  // the editor runs on Label Studio's origin
                   if (info->size == 0)  // no provider of length 0 (routes_jobs.cpp)
                       return x.response.set_content("", storage::content_type_for(key).c_str());
                   x.response.set_content_provider(
                       info->size, storage::content_type_for(key).c_str(),
                       [&store, key](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                           store.read(
                               key, [&sink](const char* data, std::size_t n) { sink.write(data, n); }, offset,
                               length);
                           return true;
                       });
               });
}

}  // namespace vidseg::server
