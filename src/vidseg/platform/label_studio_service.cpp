#include "vidseg/platform/label_studio_service.hpp"

#include <sodium.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "vidseg/annotations/label_studio_config.hpp"
#include "vidseg/annotations/label_studio_export.hpp"
#include "vidseg/annotations/label_studio_users.hpp"
#include "vidseg/annotations/pattern_list.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/eval/agreement.hpp"
#include "vidseg/labelstudio/label_studio_client.hpp"
#include "vidseg/platform/api_error.hpp"
#include "vidseg/platform/crypto.hpp"
#include "vidseg/platform/digest.hpp"
#include "vidseg/platform/label_studio_webhook_log.hpp"
#include "vidseg/platform/platform.hpp"

namespace vidseg::platform {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kWebhookActions[] = {"ANNOTATION_CREATED", "ANNOTATION_UPDATED"};

json parse_or(const std::string& text, json fallback) {
    auto doc = json::parse(text, nullptr, false);
    return doc.is_discarded() ? fallback : doc;
}

// The state of a project removed before removal deleted its catalog rows (older catalogs): no call,
// list or webhook sees it.
constexpr const char* kRemoved = "removed";

// A Label Studio failure as the API's answer: 502 when Label Studio cannot be used (down, token
// refused, request refused), 410 when the project was deleted there.
[[noreturn]] void throw_remote(const labelstudio::LabelStudioError& e) {
    using labelstudio::Failure;
    const int status = e.failure() == Failure::NotFound ? 410 : 502;
    throw ApiError(status, std::string("labelstudio_") + labelstudio::failure_name(e.failure()), e.what());
}

std::int64_t id_of(const json& value) {
    if (value.is_number_integer()) return value.get<std::int64_t>();
    if (value.is_object() && value.contains("id") && value["id"].is_number_integer())
        return value["id"].get<std::int64_t>();
    return 0;
}

// The file name part of an object key ("anna/task_20261207/lesson.mp4" → "lesson.mp4").
std::string key_name(const std::string& key) {
    return key.substr(key.rfind('/') + 1);
}

std::string load_or_create_key(const fs::path& file) {
    {
        std::ifstream in(file, std::ios::binary);
        std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (key.size() >= 32) return key;
    }
    const std::string key = random_token(32);
    const fs::path part = file.string() + ".part";
    {
        std::ofstream out(part, std::ios::binary | std::ios::trunc);
        out << key;
        if (!out) throw Error(ErrorCode::OutputError, "cannot write the media link key", part.string());
    }
    fs::permissions(part, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
    fs::rename(part, file);
    return key;
}

}  // namespace

LabelStudioService::LabelStudioService(Platform& platform, LabelStudioSettings settings)
    : platform_(platform), settings_(std::move(settings)) {
    while (!settings_.public_url.empty() && settings_.public_url.back() == '/')
        settings_.public_url.pop_back();
    media_key_ = load_or_create_key(platform_.config().data_dir / "label_studio_media.key");
    if (configured())
        client_ =
            std::make_unique<labelstudio::Client>(labelstudio::ClientConfig{settings_.url, settings_.token});
}

LabelStudioService::~LabelStudioService() = default;

void LabelStudioService::set_public_url(const std::string& url) {
    std::lock_guard lock(mutex_);
    if (settings_.public_url.empty()) settings_.public_url = url;
}

std::string LabelStudioService::public_url() const {
    std::lock_guard lock(mutex_);
    return settings_.public_url;
}

labelstudio::Client& LabelStudioService::client() {
    if (!client_)
        throw ApiError(409, "labelstudio_not_configured",
                       "no Label Studio server is configured: start the server with --label-studio-url and "
                       "--label-studio-token (or VIDSEG_LABEL_STUDIO_URL / VIDSEG_LABEL_STUDIO_TOKEN)");
    return *client_;
}

json LabelStudioService::status() {
    json out = {{"configured", configured()},
                {"url", settings_.url},
                {"webhooks", !settings_.webhook_secret.empty()},
                {"public_url", public_url()},
                {"reachable", false},
                {"user", nullptr},
                {"error", nullptr}};
    if (!configured()) return out;
    try {
        const auto me = client().whoami();
        out["reachable"] = true;
        out["user"] = me.value("email", me.value("username", ""));
    } catch (const labelstudio::LabelStudioError& e) {
        out["reachable"] = e.failure() != labelstudio::Failure::Unreachable;
        out["error"] = {{"code", std::string("labelstudio_") + labelstudio::failure_name(e.failure())},
                        {"message", e.what()}};
    }
    return out;
}

std::string LabelStudioService::media_signature(std::int64_t video_id, const std::string& kind,
                                                std::int64_t expires) const {
    const std::string message = std::to_string(video_id) + "/" + kind + "/" + std::to_string(expires);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(media_key_.data()),
                                media_key_.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                  message.size());
    crypto_auth_hmacsha256_final(&state, mac);
    return to_hex(std::string(reinterpret_cast<const char*>(mac), sizeof mac));
}

std::string LabelStudioService::media_url(const catalog::Video& video, const std::string& kind,
                                          const std::string& key) {
    if (auto url = platform_.store().presigned_get_url(key, settings_.media_expiry)) return *url;
    const std::int64_t expires = unix_now() + settings_.media_expiry.count();
    return public_url() + "/api/labelstudio/media/" + std::to_string(video.id) + "/" + kind + "/" +
           std::to_string(expires) + "/" + media_signature(video.id, kind, expires) + "/" +
           annotations::percent_encode(key_name(key));
}

MediaTarget LabelStudioService::media(std::int64_t video_id, const std::string& kind, std::int64_t expires,
                                      const std::string& signature) {
    if (!constant_time_equal(signature, media_signature(video_id, kind, expires)) || expires < unix_now())
        throw ApiError(403, "forbidden", "the media link is not valid (wrong signature or expired)");
    const auto video = platform_.catalog().find_video(video_id);
    if (!video) throw not_found("video " + std::to_string(video_id));
    std::string key = video->key;
    if (kind == "audio") {
        const auto info = parse_or(video->info_json, json::object());
        key = info.value("outputs", json::object()).value("audio", "");
        if (key.empty()) throw not_found("the audio of video " + std::to_string(video_id));
    }
    return {key, key_name(key)};
}

json LabelStudioService::tasks_for(const catalog::LabelStudioProject& project) {
    json tasks = json::array();
    for (const auto id : project.video_ids) {
        const auto video = platform_.catalog().find_video(id);
        if (!video) throw not_found("video " + std::to_string(id));
        const auto info = parse_or(video->info_json, json::object());
        double fps = 0;
        for (const auto& s : info.value("media", json::object()).value("streams", json::array()))
            if (s.value("type", "") == "video" && s.value("fps", 0.0) > 0) {
                fps = s["fps"].get<double>();
                break;
            }
        const std::string audio_key = info.value("outputs", json::object()).value("audio", "");
        const std::string video_url = media_url(*video, "video", video->key);
        const std::string name = key_name(video->key);
        json data = {{"video", video_url},
                     {"audio", audio_key.empty() ? video_url : media_url(*video, "audio", audio_key)},
                     {"fps", fps > 0 ? fps : 25.0},
                     {"lesson", name.substr(0, name.rfind('.'))},
                     {"vidseg_video_id", video->id}};
        tasks.push_back({{"data", data}});
    }
    return tasks;
}

void LabelStudioService::fail(catalog::LabelStudioProject& project, const std::string& message) {
    project.state = "error";
    project.error = message;
    platform_.catalog().update_label_studio_project(project);
}

void LabelStudioService::sync(catalog::LabelStudioProject& project) {
    auto& ls = client();
    try {
        if (project.remote_id == 0) {
            project.remote_id = ls.create_project(project.name, project.label_config,
                                                  "Created by vidseg from a pattern list of " +
                                                      std::to_string(project.video_ids.size()) + " video(s)");
            platform_.catalog().update_label_studio_project(project);
        }
        if (project.task_count == 0) {
            const auto answer = ls.import_tasks(project.remote_id, tasks_for(project));
            project.task_count =
                answer.value("task_count", static_cast<std::int64_t>(project.video_ids.size()));
            platform_.catalog().update_label_studio_project(project);
        }
        const std::string base = public_url();
        if (project.webhook_id == 0 && !settings_.webhook_secret.empty() && !base.empty()) {
            std::vector<std::string> actions(std::begin(kWebhookActions), std::end(kWebhookActions));
            project.webhook_id = ls.add_webhook(project.remote_id, base + "/api/labelstudio/webhook",
                                                {{kWebhookSecretHeader, settings_.webhook_secret}}, actions);
        }
    } catch (const labelstudio::LabelStudioError& e) {
        fail(project, e.what());
        throw_remote(e);
    }
    project.state = "ready";
    project.error.clear();
    platform_.catalog().update_label_studio_project(project);
}

catalog::LabelStudioProject LabelStudioService::create_project(const Principal& caller,
                                                               const std::string& name,
                                                               const PatternFile& patterns,
                                                               const std::vector<std::int64_t>& video_ids,
                                                               const std::string& ip) {
    client();  // 409 before anything is stored when Label Studio is not configured
    // Label Studio's own limits of a project title (3 to 50 characters), checked before anything is stored.
    const auto characters =
        std::count_if(name.begin(), name.end(), [](unsigned char c) { return (c & 0xC0) != 0x80; });
    if (characters < 3 || characters > 50)
        throw ApiError(400, "bad_request",
                       "'name' must have 3 to 50 characters (Label Studio's project title)");
    if (video_ids.empty()) throw ApiError(400, "bad_request", "'video_ids' must name at least one video");
    for (const auto id : video_ids) {
        const auto video = platform_.video(caller, id);  // 404 for another user's video
        if (video.state != "ready")
            throw ApiError(
                409, "video_not_ready",
                "video " + std::to_string(id) + " is " + video.state +
                    "; its arrival job must finish (audio, frame rate) before it goes to Label Studio");
    }
    // read_patterns() reads a file and picks the format by its extension.
    std::string extension = fs::path(patterns.file_name).extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (extension != ".xlsx" && extension != ".csv" && extension != ".txt")
        throw ApiError(
            400, "bad_request",
            "the pattern list must be a .xlsx, .csv or .txt file, got '" + patterns.file_name + "'");
    const fs::path dir = platform_.config().data_dir / "work" / "label_studio";
    fs::create_directories(dir);
    const fs::path file = dir / ("patterns-" + random_token(12) + extension);
    std::vector<annotations::Pattern> list;
    {
        std::ofstream(file, std::ios::binary) << patterns.bytes;
        struct Remove {
            fs::path path;
            ~Remove() {
                std::error_code ignored;
                fs::remove(path, ignored);
            }
        } remove{file};
        try {
            list = annotations::read_patterns(file.string());
        } catch (const Error& e) {
            std::string message = e.what();
            const auto at = message.find(file.string());
            if (at != std::string::npos) message.replace(at, file.string().size(), patterns.file_name);
            throw ApiError(400, "bad_patterns", "pattern list '" + patterns.file_name + "': " + message);
        }
    }
    catalog::LabelStudioProject project;
    project.user_id = caller.user.id;
    project.name = name;
    project.video_ids = video_ids;
    project.label_config = annotations::segment_label_config(list);
    json pattern_doc = json::array();
    for (const auto& p : list) pattern_doc.push_back({{"name", p.name}, {"description", p.description}});
    project.patterns_json = pattern_doc.dump();
    project.created = unix_now();
    project =
        platform_.catalog().add_label_studio_project(project);  // recorded first: a failure can be retried
    platform_.accounts().audit(&caller, "labelstudio-create",
                               "labelstudio project " + std::to_string(project.id),
                               name + " (" + std::to_string(list.size()) + " patterns, " +
                                   std::to_string(video_ids.size()) + " videos)",
                               ip);
    sync(project);
    return project;
}

catalog::LabelStudioProject LabelStudioService::retry(const Principal& caller, std::int64_t id,
                                                      const std::string& ip) {
    auto p = project(caller, id);
    platform_.accounts().audit(&caller, "labelstudio-retry", "labelstudio project " + std::to_string(id), "",
                               ip);
    sync(p);
    return p;
}

std::vector<catalog::LabelStudioProject> LabelStudioService::projects(const Principal& caller) {
    auto list = platform_.catalog().label_studio_projects(caller.is_admin() ? 0 : caller.user.id);
    std::erase_if(list, [](const auto& p) { return p.state == kRemoved; });
    return list;
}

catalog::LabelStudioProject LabelStudioService::project(const Principal& caller, std::int64_t id) {
    auto p = platform_.catalog().find_label_studio_project(id);
    if (!p || p->state == kRemoved || (p->user_id != caller.user.id && !caller.is_admin()))
        throw not_found("Label Studio project " + std::to_string(id));
    return *p;
}

std::string LabelStudioService::annotator_name(std::int64_t user_id, bool refresh) {
    {
        std::lock_guard lock(mutex_);
        if (const auto it = user_names_.find(user_id); it != user_names_.end() && !refresh) return it->second;
    }
    std::map<std::int64_t, std::string> names;
    for (const auto& u : client().users()) {
        const std::string email = u.value("email", "");
        names[id_of(u)] = email.empty() ? u.value("username", "") : email;
    }
    std::lock_guard lock(mutex_);
    user_names_ = std::move(names);
    const auto it = user_names_.find(user_id);
    return it == user_names_.end() ? "user " + std::to_string(user_id) : it->second;
}

void LabelStudioService::remove(const Principal& caller, std::int64_t id, bool in_label_studio,
                                const std::string& ip) {
    const auto p = project(caller, id);
    if (in_label_studio && p.remote_id != 0) {
        try {
            client().call("DELETE", "/api/projects/" + std::to_string(p.remote_id) + "/");
        } catch (const labelstudio::LabelStudioError& e) {
            if (e.failure() != labelstudio::Failure::NotFound) throw_remote(e);
        }
    }
    // Gone from the catalog with its pulled annotations; the audit log keeps what was removed.
    const auto annotations = platform_.catalog().label_studio_annotations(id).size();
    platform_.catalog().remove_label_studio_project(id);
    forget_webhook_deliveries(platform_.store(), id);
    platform_.accounts().audit(&caller, "labelstudio-remove", "labelstudio project " + std::to_string(id),
                               "'" + p.name + "', " + std::to_string(annotations) + " annotation(s)" +
                                   (in_label_studio ? ", also in Label Studio" : ""),
                               ip);
}

json LabelStudioService::pull(const Principal& caller, std::int64_t id, const std::string& ip) {
    auto p = project(caller, id);
    auto& ls = client();
    if (p.remote_id == 0)
        throw ApiError(409, "labelstudio_not_created",
                       "the project was not created in Label Studio yet (" + p.error + "); retry it first");
    json exported;
    try {
        exported = ls.export_json(p.remote_id);
        annotator_name(0, true);  // refresh the user list once per pull
    } catch (const labelstudio::LabelStudioError& e) {
        fail(p, "pull: " + std::string(e.what()));
        throw_remote(e);
    }
    try {  // the engine's reader must understand it, else nothing is stored
        annotations::ReadOptions read;
        read.controls = annotations::parse_label_config(p.label_config).controls;
        annotations::parse_export(exported.dump(), read,
                                  "Label Studio export of project " + std::to_string(p.remote_id));
    } catch (const Error& e) {
        fail(p, "pull: " + std::string(e.what()));
        throw ApiError(502, "labelstudio_bad_export", e.what());
    }
    auto& records = platform_.catalog();
    std::map<std::int64_t, catalog::LabelStudioAnnotation> before;
    for (auto& a : records.label_studio_annotations(p.id)) before[a.remote_id] = a;
    std::set<std::int64_t> seen;
    long long added = 0, updated = 0, missing = 0;
    const auto now = unix_now();
    for (const auto& task : exported) {
        const json data = task.value("data", json::object());
        for (const auto& annotation : task.value("annotations", json::array())) {
            catalog::LabelStudioAnnotation a;
            a.project_id = p.id;
            a.remote_id = id_of(annotation);
            a.task_id = id_of(task);
            a.video_id = data.value("vidseg_video_id", std::int64_t{0});
            a.annotator_id = id_of(annotation.value("completed_by", json()));
            a.annotator = annotator_name(a.annotator_id, false);
            a.annotation_json = annotation.dump();
            a.task_data_json = data.dump();
            a.source = "pull";
            a.updated = now;
            seen.insert(a.remote_id);
            const auto it = before.find(a.remote_id);
            if (it == before.end())
                ++added;
            else if (it->second.annotation_json != a.annotation_json || it->second.missing ||
                     it->second.annotator != a.annotator)
                ++updated;
            else
                continue;
            records.put_label_studio_annotation(a);
        }
    }
    for (auto& [remote, a] : before) {
        if (seen.count(remote) || a.missing) continue;
        a.missing = true;  // deleted in Label Studio: kept here, flagged
        records.put_label_studio_annotation(a);
        ++missing;
    }
    p.state = "ready";
    p.error.clear();
    p.last_pull = now;
    records.update_label_studio_project(p);
    platform_.accounts().audit(&caller, "labelstudio-pull", "labelstudio project " + std::to_string(p.id),
                               std::to_string(added) + " new, " + std::to_string(updated) + " updated", ip);
    return {{"project", to_json(p)},
            {"annotations", records.label_studio_annotations(p.id).size()},
            {"new", added},
            {"updated", updated},
            {"missing", missing}};
}

std::vector<catalog::LabelStudioAnnotation> LabelStudioService::stored_annotations(const Principal& caller,
                                                                                   std::int64_t id) {
    project(caller, id);
    return platform_.catalog().label_studio_annotations(id);
}

json LabelStudioService::export_of(const std::vector<catalog::LabelStudioAnnotation>& stored) {
    json tasks = json::array();
    std::map<std::int64_t, std::size_t> index;
    for (const auto& a : stored) {
        auto it = index.find(a.task_id);
        if (it == index.end()) {
            it = index.emplace(a.task_id, tasks.size()).first;
            tasks.push_back({{"id", a.task_id},
                             {"data", parse_or(a.task_data_json, json::object())},
                             {"annotations", json::array()}});
        }
        tasks[it->second]["annotations"].push_back(parse_or(a.annotation_json, json::object()));
    }
    return tasks;
}

// The stored annotations as `dataset agreement` reads them, and its report (ApiError 409 with fewer
// than two annotators, 400 for bad options).
struct LabelStudioService::AgreementRun {
    eval::Corpus corpus;
    eval::AgreementOptions options;
    eval::AgreementReport report;
};

LabelStudioService::AgreementRun LabelStudioService::agreement_run(const Principal& caller, std::int64_t id,
                                                                   double iou, double bin, double min_kappa) {
    const auto p = project(caller, id);
    const auto stored = platform_.catalog().label_studio_annotations(id);
    annotations::ReadOptions read;
    read.controls = annotations::parse_label_config(p.label_config).controls;
    auto exported =
        annotations::parse_export(export_of(stored).dump(), read, "annotations of project " + p.name);
    std::map<long long, annotations::UserInfo> users;
    for (const auto& a : stored)
        if (a.annotator.rfind("user ", 0) != 0) users[a.annotator_id] = {"", a.annotator};
    annotations::apply_user_names(exported, users);
    AgreementRun run;
    run.corpus = eval::corpus_from_exports({{p.name, std::move(exported)}});
    if (run.corpus.input.annotators.size() < 2)
        throw ApiError(409, "not_enough_annotators",
                       "agreement needs at least two annotators of the same task, found " +
                           std::to_string(run.corpus.input.annotators.size()) +
                           "; pull again once more people annotated");
    run.options.iou_threshold = iou;
    run.options.bin_seconds = bin;
    run.options.min_kappa = min_kappa;
    try {
        run.report = eval::compute_agreement(run.corpus.input, run.options);
    } catch (const Error& e) {
        throw ApiError(400, "bad_request", e.what());
    }
    return run;
}

json LabelStudioService::agreement(const Principal& caller, std::int64_t id, double iou, double bin,
                                   double min_kappa) {
    const auto run = agreement_run(caller, id, iou, bin, min_kappa);
    auto out = eval::to_json(run.report);
    out["consensus_segments"] = eval::consensus_segments(run.corpus.input, run.report, run.options).size();
    return out;
}

json LabelStudioService::consensus(const Principal& caller, std::int64_t id, double iou, double bin,
                                   double min_kappa) {
    const auto run = agreement_run(caller, id, iou, bin, min_kappa);
    const auto segments = eval::consensus_segments(run.corpus.input, run.report, run.options);
    try {
        return annotations::to_full_json(eval::consensus_project(run.corpus, segments));
    } catch (const Error& e) {
        throw ApiError(400, "bad_request", e.what());
    }
}

catalog::Job LabelStudioService::build(const Principal& caller, std::int64_t id, const json& options,
                                       const json& review, const std::string& ip) {
    const auto p = project(caller, id);
    const auto stored = platform_.catalog().label_studio_annotations(id);
    if (stored.empty())
        throw ApiError(409, "no_annotations",
                       "project " + std::to_string(id) + " has no pulled annotations yet");
    json inputs = {{"annotations", export_of(stored)}, {"label_config", p.label_config}};
    if (!review.is_null()) inputs["review"] = review;
    return platform_.submit_job(caller, "dataset build", p.video_ids, options, inputs, ip);
}

json LabelStudioService::webhook(const std::string& secret, const json& payload) {
    if (settings_.webhook_secret.empty())
        throw ApiError(404, "not_found", "webhooks are not enabled (--label-studio-webhook-secret)");
    if (!constant_time_equal(secret, settings_.webhook_secret))
        throw ApiError(403, "forbidden", std::string("wrong or missing ") + kWebhookSecretHeader + " header");
    // Every member is checked for its type: the body is whatever reached the public route.
    const auto member = [](const json& doc, const char* name) {
        return doc.is_object() && doc.contains(name) ? doc[name] : json();
    };
    const json action_value = member(payload, "action");
    const std::string action = action_value.is_string() ? action_value.get<std::string>() : std::string();
    const json task = member(payload, "task").is_object() ? payload["task"] : json::object();
    const json annotation = member(payload, "annotation").is_object() ? payload["annotation"] : json::object();
    std::int64_t remote_project = id_of(member(payload, "project"));
    if (remote_project == 0) remote_project = id_of(member(task, "project"));
    const auto p = platform_.catalog().find_label_studio_project_by_remote(remote_project);
    if (!p || p->state == kRemoved)
        return {{"ignored", "Label Studio project " + std::to_string(remote_project) + " is not vidseg's"}};
    // The project page's history: what arrived, when, and what became of it.
    catalog::WebhookDelivery delivery;
    delivery.project_id = p->id;
    delivery.received = unix_now();
    delivery.action = action.substr(0, 64);
    delivery.annotation_id = id_of(annotation);
    delivery.task_id = task.contains("id") ? id_of(task) : id_of(member(annotation, "task"));
    if (std::find(std::begin(kWebhookActions), std::end(kWebhookActions), action) == std::end(kWebhookActions)) {
        delivery.outcome = "ignored";
        delivery.message = "action " + delivery.action + " is not stored";
        record_webhook_delivery(platform_.catalog(), delivery);
        return {{"ignored", delivery.message}};
    }
    if (delivery.annotation_id == 0 || delivery.task_id == 0) {
        delivery.outcome = "error";
        delivery.message = "the webhook names no annotation or task";
        record_webhook_delivery(platform_.catalog(), delivery);
        throw ApiError(400, "bad_request", delivery.message);
    }
    catalog::LabelStudioAnnotation a;
    a.project_id = p->id;
    a.remote_id = delivery.annotation_id;
    a.task_id = delivery.task_id;
    const json data = member(task, "data").is_object() ? task["data"] : json::object();
    const json video_id = member(data, "vidseg_video_id");
    a.video_id = video_id.is_number_integer() ? video_id.get<std::int64_t>() : 0;
    a.annotator_id = id_of(member(annotation, "completed_by"));
    {
        // Label Studio waits for the answer (1 s by default) before it answers its own client: no call back
        // to it here; names not seen yet come with the next pull.
        std::lock_guard lock(mutex_);
        const auto it = user_names_.find(a.annotator_id);
        a.annotator = it != user_names_.end() ? it->second : "user " + std::to_string(a.annotator_id);
    }
    // As in an export: the task id beside the annotation, not the whole task inside it.
    json stored = annotation;
    if (stored.contains("task") && stored["task"].is_object()) stored["task"] = a.task_id;
    a.annotation_json = stored.dump();
    a.task_data_json = data.dump();
    a.source = "webhook";
    a.updated = delivery.received;
    try {
        platform_.catalog().put_label_studio_annotation(a);
    } catch (const Error& e) {
        delivery.outcome = "error";
        delivery.message = e.cause();
        record_webhook_delivery(platform_.catalog(), delivery);
        throw;
    }
    delivery.outcome = "stored";
    record_webhook_delivery(platform_.catalog(), delivery);
    return {{"stored", 1}, {"project_id", p->id}, {"annotation", a.remote_id}};
}

json to_json(const catalog::LabelStudioProject& p) {
    return {{"id", p.id},
            {"owner_id", p.user_id},
            {"name", p.name},
            {"labelstudio_id", p.remote_id == 0 ? json(nullptr) : json(p.remote_id)},
            {"video_ids", p.video_ids},
            {"patterns", parse_or(p.patterns_json, json::array())},
            {"state", p.state},
            {"error", p.error.empty() ? json(nullptr) : json(p.error)},
            {"task_count", p.task_count},
            {"webhook", p.webhook_id != 0},
            {"last_pull", p.last_pull == 0 ? json(nullptr) : json(p.last_pull)},
            {"created", p.created}};
}

json to_json(const catalog::LabelStudioAnnotation& a) {
    return {{"id", a.remote_id},
            {"task_id", a.task_id},
            {"video_id", a.video_id == 0 ? json(nullptr) : json(a.video_id)},
            {"annotator_id", a.annotator_id},
            {"annotator", a.annotator},
            {"source", a.source},
            {"missing", a.missing},
            {"updated", a.updated},
            {"annotation", parse_or(a.annotation_json, json::object())}};
}

}  // namespace vidseg::platform
