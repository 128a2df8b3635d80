#include "vidseg/publish/publish_manifest.hpp"

#include <chrono>
#include <ctime>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"
#include "vidseg/core/json_numbers.hpp"

namespace vidseg::publish {

std::optional<Publication> PublishManifest::find_publication(const std::string& content_digest) const {
    for (const auto& p : history)
        if (p.content_digest == content_digest) return p;
    return std::nullopt;
}

std::optional<Publication> PublishManifest::find_origin(const std::string& origin_digest) const {
    if (origin_digest.empty()) return std::nullopt;
    for (const auto& p : history)
        if (p.origin_digest == origin_digest) return p;
    return std::nullopt;
}

std::string PublishManifest::to_json_text() const { return to_json(*this).dump(1) + "\n"; }

nlohmann::json to_json(const PublishManifest& manifest) {
    nlohmann::json files = nlohmann::json::object();
    for (const auto& [path, f] : manifest.files)
        files[path] = {{"sha256", f.sha256}, {"size", f.size}, {"published_at", f.published_at}};
    nlohmann::json history = nlohmann::json::array();
    for (const auto& p : manifest.history) {
        nlohmann::json entry = {{"content_digest", p.content_digest}, {"source", p.source},
                                {"published_at", p.published_at}, {"files", p.files}, {"sent", p.sent},
                                {"copied", p.copied}, {"deleted", p.deleted}, {"commit", p.commit}};
        if (!p.prefix.empty()) entry["prefix"] = p.prefix;
        if (!p.origin_digest.empty()) entry["origin_digest"] = p.origin_digest;
        history.push_back(entry);
    }
    return {{"format", "vidseg-publish-manifest"}, {"version", 1}, {"target", manifest.target},
            {"files", files}, {"history", history}};
}

PublishManifest manifest_from_json(const std::string& text, const std::string& source) {
    PublishManifest manifest;
    try {
        const auto doc = nlohmann::json::parse(text);
        if (!doc.is_object() || doc.value("format", "") != "vidseg-publish-manifest")
            throw Error(ErrorCode::InvalidData, "not a vidseg publish manifest", source);
        if (!json_integer_is(doc, "version", 1))
            throw Error(ErrorCode::InvalidData, "publish manifest version " + doc.value("version", nlohmann::json()).dump() +
                                                    " is not supported (expected 1)", source);
        manifest.target = doc.value("target", "");
        for (const auto& [path, f] : doc.at("files").items())
            manifest.files[path] = {f.at("sha256").get<std::string>(),
                                    json_integer<std::uint64_t>(f.at("size"), "size"), f.value("published_at", "")};
        for (const auto& p : doc.at("history"))
            manifest.history.push_back({p.at("content_digest").get<std::string>(), p.value("source", ""),
                                        p.value("published_at", ""), json_integer_or<std::size_t>(p, "files", 0),
                                        json_integer_or<std::size_t>(p, "sent", 0),
                                        json_integer_or<std::size_t>(p, "copied", 0),
                                        json_integer_or<std::size_t>(p, "deleted", 0), p.value("commit", ""),
                                        p.value("prefix", ""), p.value("origin_digest", "")});
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::InvalidData, std::string("malformed publish manifest: ") + e.what(), source);
    }
    return manifest;
}

std::string utc_now_iso8601() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

}  // namespace vidseg::publish
