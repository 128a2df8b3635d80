// The models the server knows (platform/model_registry.hpp): every user lists them (a predict job
// names one); an admin registers a model file (the raw bytes of `vidseg train --out`) or removes it.
#include <fstream>

#include <nlohmann/json.hpp>

#include "vidseg/platform/api_error.hpp"
#include "vidseg/platform/crypto.hpp"
#include "vidseg/platform/model_registry.hpp"
#include "vidseg/platform/train_job.hpp"
#include "vidseg/server/platform_extra_routes.hpp"

namespace vidseg::server {

namespace {

// The request body in a file of the server's work folder, removed with this object.
class StagedBody {
  public:
    StagedBody(const Exchange& x, const std::filesystem::path& folder, std::uint64_t max_size)
        : path_(folder / ("model-" + platform::random_token(12) + ".part")) {
        std::filesystem::create_directories(folder);
        std::ofstream out(path_, std::ios::binary);
        std::uint64_t size = 0;
        bool too_large = false;
        const bool complete = x.read_body([&](const char* data, std::size_t n) {
            size += n;
            if (size > max_size) {
                too_large = true;
                return false;
            }
            out.write(data, static_cast<std::streamsize>(n));
            return static_cast<bool>(out);
        });
        out.close();
        if (too_large)
            throw platform::ApiError(413, "too_large",
                                     "a model file has at most " + std::to_string(max_size) + " bytes");
        if (!complete || !out) throw platform::ApiError(400, "bad_request", "the model file was not received whole");
        if (size == 0) throw platform::ApiError(400, "bad_request", "send the model file as the request body");
    }
    ~StagedBody() {
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
    StagedBody(const StagedBody&) = delete;
    StagedBody& operator=(const StagedBody&) = delete;
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

}  // namespace

void add_model_routes(Router& router) {
    auto& platform = router.platform();
    const std::string one = R"(/api/models/([^/]+))";

    router.add("GET", "/api/models", "GET /api/models", Access::User,
               [&platform](Exchange& x) { x.send_json(200, platform::registered_models(platform)); });
    router.add("GET", one, "GET /api/models/{name}", Access::User, [&platform](Exchange& x) {
        x.send_json(200, platform::registered_model(platform, x.param(1)));
    });
    router.add("PUT", one, "PUT /api/models/{name}", Access::Admin, [&platform](Exchange& x) {
        const auto name = x.param(1);
        platform::check_model_name(name);  // before any byte is read
        const StagedBody body(x, platform.config().data_dir / "work", platform.config().max_upload);
        x.send_json(201, platform::register_model(platform, x.who(), name, body.path(), x.ip));
    });
    // A finished train job's model (train_job.hpp), by the job's owner: {"name": "lessons-8"}.
    router.add("POST", R"(/api/jobs/(\d+)/register-model)", "POST /api/jobs/{id}/register-model", Access::User,
               [&platform](Exchange& x) {
                   const auto body = x.json_body();
                   const auto name = body.is_object() ? body.find("name") : body.end();
                   if (name == body.end() || !name->is_string())
                       throw platform::ApiError(400, "bad_request", "send {\"name\": \"MODEL NAME\"}");
                   x.send_json(201, platform::register_trained_model(platform, x.who(), x.id(),
                                                                      name->get<std::string>(), x.ip));
               });
    router.add("DELETE", one, "DELETE /api/models/{name}", Access::Admin, [&platform](Exchange& x) {
        platform::remove_model(platform, x.who(), x.param(1), x.ip);
        x.response.status = 204;
    });
}

}  // namespace vidseg::server
