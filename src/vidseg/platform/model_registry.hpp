// The models `vidseg serve` knows: files written by `vidseg train` that an admin registered under a
// name (PUT /api/models/{name}). A `predict` job names one ({"inputs": {"model": "NAME"}}); a job never
// gives a path of the server's disk (its --model option is a Path, refused as every Path option is).
// Stored in the object store as .models/<name>/model and .models/<name>/info.json (what the model
// predicts, read from the file when it was registered). User names cannot start with '.', so the
// folder is nobody's.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "vidseg/platform/platform.hpp"

namespace vidseg::platform {

// 1 to 100 letters, digits, '.', '_', '-', not starting with '.' or '-'; InvalidArgument otherwise.
void check_model_name(const std::string& name);
std::string model_object_key(const std::string& name);

// {"models": [{"name", "arch", "task", "labels", "size", "registered_by", "registered_at"}]}, by name.
nlohmann::json registered_models(Platform& platform);
// The registered model's description; ApiError 404 when there is none of that name.
nlohmann::json registered_model(Platform& platform, const std::string& name);

// Checks `file` is a model of `vidseg train` (a network's header, or a text model read whole) and
// stores it under `name` (replacing one of that name). Admin only (403). InvalidData names the file's
// problem; nothing is stored then.
nlohmann::json register_model(Platform& platform, const Principal& caller, const std::string& name,
                              const std::filesystem::path& file, const std::string& ip);
// The storing step of register_model (no role check, no audit), for a train job registering its model:
// `extra` is added to the description (e.g. {"job": 12}).
nlohmann::json store_registered_model(storage::ObjectStore& store, const std::string& name,
                                      const std::filesystem::path& file, const std::string& registered_by,
                                      const nlohmann::json& extra);
// Who registered the model of that name (empty when unknown); nullopt when none is registered.
std::optional<std::string> registered_model_owner(storage::ObjectStore& store, const std::string& name);
void remove_model(Platform& platform, const Principal& caller, const std::string& name, const std::string& ip);

// The `predict` job's inputs: exactly {"model": NAME}; InvalidArgument otherwise.
std::string predict_job_model(const nlohmann::json& inputs);
// The same, and the model registered: ApiError 400 unknown_model otherwise (at submission).
void require_registered_model(Platform& platform, const nlohmann::json& inputs);

}  // namespace vidseg::platform
