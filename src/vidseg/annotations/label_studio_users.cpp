#include "vidseg/annotations/label_studio_users.hpp"

#include <cmath>
#include <optional>

#include <nlohmann/json.hpp>

#include "vidseg/annotations/pattern_list.hpp"
#include "vidseg/core/error.hpp"

namespace vidseg::annotations {

using nlohmann::json;

namespace {

[[noreturn]] void fail_in(const std::string& path, const std::string& message) {
    throw Error(ErrorCode::InvalidData, message, path);
}

// A whole number given as a JSON number or as text ("7").
std::optional<double> user_id(const json& v) {
    double d = 0;
    if (v.is_number())
        d = v.get<double>();
    else if (v.is_string()) {
        try {
            size_t used = 0;
            const std::string s = v.get<std::string>();
            d = std::stod(s, &used);
            if (used != s.size()) return std::nullopt;
        } catch (const std::exception&) {
            return std::nullopt;
        }
    } else {
        return std::nullopt;
    }
    if (!std::isfinite(d) || std::floor(d) != d) return std::nullopt;
    return d;
}

}  // namespace

std::map<long long, UserInfo> read_users(const std::string& path) {
    json doc;
    try {
        doc = json::parse(read_text_file(path));
    } catch (const json::exception& e) {
        fail_in(path, std::string("not valid JSON: ") + e.what());
    }
    if (doc.is_object() && doc.contains("results")) doc = doc["results"];
    std::map<long long, UserInfo> users;
    auto text = [](const json& o, const char* key) {
        auto it = o.find(key);
        return it != o.end() && it->is_string() ? trim(it->get<std::string>()) : std::string();
    };
    if (doc.is_object()) {  // {"3": "Anna"} or {"3": {"first_name": ...}}
        json list = json::array();
        for (auto it = doc.begin(); it != doc.end(); ++it) {
            auto id = user_id(json(it.key()));
            if (!id) fail_in(path, "user key '" + it.key() + "' is not a user id");
            json user = it.value().is_string() ? json{{"first_name", it.value()}} : it.value();
            if (!user.is_object()) fail_in(path, "user '" + it.key() + "' must be a name or a user object");
            user["id"] = static_cast<long long>(*id);
            list.push_back(std::move(user));
        }
        doc = std::move(list);
    }
    if (!doc.is_array()) fail_in(path, "expected the list of users of Label Studio's /api/users");
    for (size_t i = 0; i < doc.size(); ++i) {
        const json& u = doc[i];
        const auto id = u.is_object() ? user_id(u.value("id", json())) : std::nullopt;
        if (!id) fail_in(path, "user " + std::to_string(i + 1) + " has no numeric 'id'");
        UserInfo info;
        info.name = text(u, "first_name");
        const std::string last = text(u, "last_name");
        if (!last.empty()) info.name += (info.name.empty() ? "" : " ") + last;
        if (info.name.empty()) info.name = text(u, "username");
        info.email = text(u, "email");
        if (info.name == info.email) info.name.clear();
        users[static_cast<long long>(*id)] = info;
    }
    return users;
}

void apply_user_names(Project& project, const std::map<long long, UserInfo>& users) {
    for (auto& t : project.tasks)
        for (auto& a : t.annotations) {
            if (!a.annotator_id) continue;
            auto it = users.find(*a.annotator_id);
            if (it == users.end()) continue;
            a.annotator_name = it->second.name;
            if (a.annotator_email.empty()) a.annotator_email = it->second.email;
        }
}

}  // namespace vidseg::annotations
