// The platform's connection to a Label Studio server (issue 12 §2), without HTTP: a project made from
// a pattern list and some uploaded videos (the engine's labeling config, one whole-lesson task per
// video whose media URLs Label Studio's editor can fetch: presigned S3 links, or signed links to this
// server's media route for a local store), annotations pulled back (export API) or pushed by Label
// Studio's ANNOTATION_CREATED / ANNOTATION_UPDATED webhooks into the catalog with every annotator's
// version, the agreement report of `vidseg dataset agreement` over them, and a dataset build job.
//
// Failures of Label Studio (down, token refused, project deleted there) leave the project in state
// "error" with the message, never remove what was stored, and the same call (or retry) repeats the
// missing steps: a project is recorded before Label Studio is called and remembers how far it got.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/catalog/catalog.hpp"
#include "vidseg/platform/accounts.hpp"

namespace vidseg::labelstudio {
class Client;
}

namespace vidseg::platform {

class Platform;

// Per deployment (`vidseg serve --label-studio-url/--label-studio-token/...`).
struct LabelStudioSettings {
    std::string url;             // empty: not configured (the routes answer 409 labelstudio_not_configured)
    std::string token;           // legacy API token or personal access token
    std::string webhook_secret;  // sent by Label Studio in X-Vidseg-Webhook-Secret; empty: no webhooks
    // Base URL Label Studio and annotators' browsers reach this server under (webhooks, media links of a
    // local store); empty = the address the server listens on (set_public_url()).
    std::string public_url;
    std::chrono::seconds media_expiry{604800};  // lifetime of signed media links
};

inline constexpr const char* kWebhookSecretHeader = "X-Vidseg-Webhook-Secret";

// A pattern list as a client sends it: the file name decides the format (.xlsx / .csv / .txt).
struct PatternFile {
    std::string file_name;
    std::string bytes;
};

// A signed media link's parts (GET /api/labelstudio/media/{video}/{kind}/{expires}/{signature}/{name}).
struct MediaTarget {
    std::string key;   // object key in the store
    std::string name;  // file name for the answer
};

class LabelStudioService {
  public:
    LabelStudioService(Platform& platform, LabelStudioSettings settings);
    ~LabelStudioService();

    bool configured() const { return !settings_.url.empty(); }
    void set_public_url(const std::string& url);  // when settings.public_url was empty
    // {configured, url, webhooks, public_url, reachable, user, error}: checks the token (whoami).
    nlohmann::json status();

    catalog::LabelStudioProject create_project(const Principal& caller, const std::string& name,
                                               const PatternFile& patterns,
                                               const std::vector<std::int64_t>& video_ids,
                                               const std::string& ip);
    // Repeats the steps a failed creation did not finish (create, import, webhook).
    catalog::LabelStudioProject retry(const Principal& caller, std::int64_t id, const std::string& ip);
    std::vector<catalog::LabelStudioProject> projects(const Principal& caller);
    // Removes the project and its pulled annotations from the catalog (the audit log entry names it and
    // counts them); with `in_label_studio`, first the project in Label Studio too (one already gone there counts as
    // removed; Label Studio down: ApiError 502, nothing removed).
    void remove(const Principal& caller, std::int64_t id, bool in_label_studio, const std::string& ip);
    catalog::LabelStudioProject project(const Principal& caller, std::int64_t id);
    // Pulls the export: {project, annotations, new, updated, missing}.
    nlohmann::json pull(const Principal& caller, std::int64_t id, const std::string& ip);
    std::vector<catalog::LabelStudioAnnotation> stored_annotations(const Principal& caller, std::int64_t id);
    // The `dataset agreement` report over the stored annotations (ApiError 409 with fewer than two
    // annotators).
    nlohmann::json agreement(const Principal& caller, std::int64_t id, double iou, double bin,
                             double min_kappa);
    // The consensus of the stored annotations (`dataset agreement --consensus`): a Label Studio JSON export
    // with one annotation per task holding the segments the annotators agree on, to import back.
    nlohmann::json consensus(const Principal& caller, std::int64_t id, double iou, double bin,
                             double min_kappa);
    // A dataset build job of the project's videos from the stored annotations; `options` are `dataset
    // build`'s, `review` the review decisions.
    catalog::Job build(const Principal& caller, std::int64_t id, const nlohmann::json& options,
                       const nlohmann::json& review, const std::string& ip);
    // A webhook delivery: ApiError 403 for a wrong secret; {"stored": n} or {"ignored": reason}.
    nlohmann::json webhook(const std::string& secret, const nlohmann::json& payload);
    // The object a signed media link names; ApiError 403 when the signature is wrong or expired.
    MediaTarget media(std::int64_t video_id, const std::string& kind, std::int64_t expires,
                      const std::string& signature);

    // The stored annotations as a Label Studio JSON export (tasks with every annotator's annotation).
    static nlohmann::json export_of(const std::vector<catalog::LabelStudioAnnotation>& annotations);

  private:
    struct AgreementRun;
    AgreementRun agreement_run(const Principal& caller, std::int64_t id, double iou, double bin,
                               double min_kappa);
    labelstudio::Client& client();
    void sync(catalog::LabelStudioProject& project);  // the missing creation steps; stores progress
    nlohmann::json tasks_for(const catalog::LabelStudioProject& project);
    std::string media_url(const catalog::Video& video, const std::string& kind, const std::string& key);
    std::string media_signature(std::int64_t video_id, const std::string& kind, std::int64_t expires) const;
    std::string annotator_name(std::int64_t user_id, bool refresh);
    void fail(catalog::LabelStudioProject& project, const std::string& message);
    std::string public_url() const;

    Platform& platform_;
    LabelStudioSettings settings_;
    std::string media_key_;  // HMAC key of media links (DATA/label_studio_media.key)
    std::unique_ptr<labelstudio::Client> client_;
    mutable std::mutex mutex_;
    std::map<std::int64_t, std::string> user_names_;  // Label Studio user id → e-mail
};

nlohmann::json to_json(const catalog::LabelStudioProject& project);
nlohmann::json to_json(const catalog::LabelStudioAnnotation& annotation);

}  // namespace vidseg::platform
