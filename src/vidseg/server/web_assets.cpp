#include "vidseg/server/web_assets.hpp"

#include <algorithm>

#include "vidseg/storage/object_store.hpp"

namespace vidseg::server {

namespace fs = std::filesystem;

namespace {

std::string lower_extension(const fs::path& file) {
    std::string ext = file.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext;
}

// The web's own types; images, JSON and text as the object store types them.
std::string content_type_of(const fs::path& file) {
    static const std::pair<const char*, const char*> kTypes[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".map", "application/json"},
    };
    const std::string ext = lower_extension(file);
    for (const auto& [suffix, type] : kTypes)
        if (ext == suffix) return type;
    return storage::content_type_for(file.filename().string());
}

bool file_exists(const fs::path& path) {
    std::error_code ec;
    return fs::is_regular_file(path, ec);
}

}  // namespace

std::vector<fs::path> web_root_candidates(const std::string& configured) {
    if (!configured.empty()) return {fs::path(configured)};
    std::vector<fs::path> out;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        out.push_back(exe.parent_path() / "web");
        out.push_back(exe.parent_path().parent_path() / "share" / "vidseg" / "web");
    }
    return out;
}

std::optional<fs::path> find_web_root(const std::string& configured) {
    for (const auto& candidate : web_root_candidates(configured))
        if (file_exists(candidate / "index.html")) return fs::absolute(candidate).lexically_normal();
    return std::nullopt;
}

std::optional<WebAsset> resolve_web_asset(const fs::path& root, const std::string& url_path) {
    // Only plain segments: no "..", ".", empty or hidden names, no backslashes or NULs.
    std::vector<std::string> segments;
    std::size_t pos = url_path.empty() || url_path.front() != '/' ? 0 : 1;
    while (pos <= url_path.size()) {
        auto end = url_path.find('/', pos);
        if (end == std::string::npos) end = url_path.size();
        std::string segment = url_path.substr(pos, end - pos);
        pos = end + 1;
        if (segment.empty()) {
            if (end == url_path.size()) break;  // a trailing slash
            return std::nullopt;
        }
        if (segment.front() == '.' || segment.find_first_of("\\", 0) != std::string::npos ||
            segment.find('\0') != std::string::npos)
            return std::nullopt;
        segments.push_back(std::move(segment));
    }
    fs::path file = root;
    for (const auto& s : segments) file /= s;
    if (!segments.empty() && file_exists(file)) {
        const bool hashed = segments.size() == 2 && segments.front() == "assets";
        return WebAsset{file, content_type_of(file), hashed};
    }
    // A path of the app (/videos/3) gets the app; a missing file (/assets/gone.js, /favicon.ico) nothing.
    if (!segments.empty() && segments.back().find('.') != std::string::npos) return std::nullopt;
    const fs::path index = root / "index.html";
    if (!file_exists(index)) return std::nullopt;
    return WebAsset{index, content_type_of(index), false};
}

std::string web_content_security_policy(const std::string& style_nonce) {
    const std::string styles = style_nonce.empty() ? "'self'" : "'self' 'nonce-" + style_nonce + "'";
    return "default-src 'self'; script-src 'self'; style-src " + styles +
           "; img-src 'self' data: blob:; media-src 'self' blob: http: https:; connect-src 'self'; "
           "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
}

}  // namespace vidseg::server
