#include "vidseg/platform/model_registry.hpp"

#include <ctime>
#include <fstream>
#include <optional>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"
#include "vidseg/models/trained_model.hpp"
#include "vidseg/models/utterance_model.hpp"
#include "vidseg/platform/api_error.hpp"

namespace vidseg::platform {

namespace {

constexpr const char* kModelsFolder = ".models/";
constexpr std::size_t kMaxInfoBytes = 4u << 20;

std::string info_key(const std::string& name) {
    return std::string(kModelsFolder) + name + "/info.json";
}

nlohmann::json read_info(storage::ObjectStore& store, const std::string& key) {
    std::string text;
    store.read(key, [&](const char* data, std::size_t size) {
        if (text.size() + size > kMaxInfoBytes) throw Error(ErrorCode::InvalidData, "model description too large", key);
        text.append(data, size);
    });
    auto info = nlohmann::json::parse(text, nullptr, false);
    if (!info.is_object()) throw Error(ErrorCode::InvalidData, "model description is not a JSON object", key);
    return info;
}

// What the model predicts, from its file: a text model is read whole (its own checks), a network
// by its header line (the libtorch parameters after it are checked when a job loads it).
nlohmann::json describe_model_file(const std::filesystem::path& file, const std::string& name) {
    if (models::UtteranceModel::is_text_model_file(file)) {
        const auto model = models::UtteranceModel::load(file);
        return {{"arch", "utterance-lr"}, {"task", "patterns"}, {"labels", model.labels()}};
    }
    std::ifstream in(file, std::ios::binary);
    std::string header;
    if (std::getline(in, header) && !in.eof()) header += '\n';  // the header line with its end
    const auto info = models::parse_model_header(header, "model " + name);
    return {{"arch", models::architecture_name(info.arch)},
            {"task", models::task_name(info.task)},
            {"labels", info.labels}};
}

}  // namespace

void check_model_name(const std::string& name) {
    if (name.empty() || name.size() > 100)
        throw Error(ErrorCode::InvalidArgument, "a model name has 1 to 100 characters", name);
    for (unsigned char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-'))
            throw Error(ErrorCode::InvalidArgument,
                        "a model name may hold only letters, digits, '.', '_' and '-'", name);
    if (name.front() == '.' || name.front() == '-')
        throw Error(ErrorCode::InvalidArgument, "a model name may not start with '.' or '-'", name);
}

std::string model_object_key(const std::string& name) {
    check_model_name(name);
    return std::string(kModelsFolder) + name + "/model";
}

nlohmann::json registered_models(Platform& platform) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& object : platform.store().list(kModelsFolder)) {
        const std::string suffix = "/info.json";
        if (object.key.size() <= suffix.size() || object.key.compare(object.key.size() - suffix.size(), suffix.size(), suffix) != 0)
            continue;
        try {
            list.push_back(read_info(platform.store(), object.key));
        } catch (const Error&) {
            // An unreadable description (cut short on a full disk) hides one model, not the list.
        }
    }
    return {{"models", list}};
}

nlohmann::json registered_model(Platform& platform, const std::string& name) {
    check_model_name(name);
    if (!platform.store().stat(info_key(name))) throw not_found("model '" + name + "'");
    return read_info(platform.store(), info_key(name));
}

nlohmann::json store_registered_model(storage::ObjectStore& store, const std::string& name,
                                      const std::filesystem::path& file, const std::string& registered_by,
                                      const nlohmann::json& extra) {
    const auto key = model_object_key(name);
    auto info = describe_model_file(file, name);
    info["name"] = name;
    info["size"] = std::filesystem::file_size(file);
    info["registered_by"] = registered_by;
    info["registered_at"] = static_cast<std::int64_t>(std::time(nullptr));
    if (extra.is_object()) info.update(extra);
    store.put_file(key, file, {{"kind", "model"}});
    auto writer = store.create(info_key(name), {{"kind", "model-info"}});
    const std::string text = info.dump(2) + "\n";
    writer->write(text.data(), text.size());
    writer->commit();
    return info;
}

std::optional<std::string> registered_model_owner(storage::ObjectStore& store, const std::string& name) {
    if (!store.stat(info_key(name))) return std::nullopt;
    try {
        const auto info = read_info(store, info_key(name));
        const auto by = info.find("registered_by");
        return by != info.end() && by->is_string() ? by->get<std::string>() : std::string();
    } catch (const Error&) {
        return std::string();  // an unreadable description: nobody's, only an admin replaces it
    }
}

nlohmann::json register_model(Platform& platform, const Principal& caller, const std::string& name,
                              const std::filesystem::path& file, const std::string& ip) {
    platform.accounts().require_admin(caller);
    model_object_key(name);  // the name checked before the file is read
    const auto info = store_registered_model(platform.store(), name, file, caller.user.name, nlohmann::json::object());
    platform.accounts().audit(&caller, "register-model", "model " + name, info["arch"].get<std::string>(), ip);
    return info;
}

void remove_model(Platform& platform, const Principal& caller, const std::string& name, const std::string& ip) {
    platform.accounts().require_admin(caller);
    registered_model(platform, name);  // 404 when unknown
    platform.store().remove(info_key(name));
    platform.store().remove(model_object_key(name));
    platform.accounts().audit(&caller, "remove-model", "model " + name, "", ip);
}

std::string predict_job_model(const nlohmann::json& inputs) {
    const auto it = inputs.is_object() ? inputs.find("model") : inputs.end();
    if (it == inputs.end() || !it->is_string() || inputs.size() != 1)
        throw Error(ErrorCode::InvalidArgument,
                    "a predict job needs inputs {\"model\": NAME}, NAME a model the server knows (GET /api/models)");
    const auto name = it->get<std::string>();
    check_model_name(name);
    return name;
}

void require_registered_model(Platform& platform, const nlohmann::json& inputs) {
    const auto name = predict_job_model(inputs);
    if (!platform.store().stat(info_key(name)))
        throw ApiError(400, "unknown_model",
                       "no model named '" + name + "' is registered on the server (GET /api/models)");
}

}  // namespace vidseg::platform
