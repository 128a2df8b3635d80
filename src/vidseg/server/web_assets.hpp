// The web UI's built assets (web/, built by Vite into <build>/web) as `vidseg serve` finds and serves
// them: which folder, which file answers a URL path (SPA fallback to index.html), and the headers a
// file gets. No HTTP library here; routes_web.cpp wires it to the server.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace vidseg::server {

// Folders tried in order: `configured` (--web DIR / VIDSEG_WEB; when given, the only one), then
// <dir of the running executable>/web (the build tree), then <exe dir>/../share/vidseg/web
// (installed layout). A folder counts when it holds index.html.
std::vector<std::filesystem::path> web_root_candidates(const std::string& configured);
std::optional<std::filesystem::path> find_web_root(const std::string& configured);

struct WebAsset {
    std::filesystem::path file;  // under the root
    std::string content_type;
    bool immutable = false;  // Vite's content-hashed /assets/ files: cached for a year
};

// The file answering a GET of url_path ("/", "/videos/3", "/assets/index-abc.js"): the file itself when
// it exists under root, index.html for a path of the app (no extension in its last segment), nothing
// for a missing file or a path that tries to leave the root.
std::optional<WebAsset> resolve_web_asset(const std::filesystem::path& root, const std::string& url_path);

// Content-Security-Policy of the UI's pages: scripts and styles only from the server itself, plus the
// <style> elements carrying `style_nonce` (a fresh random one per HTML page: wavesurfer.js draws the
// waveform in a shadow root styled by its own <style> element, given the nonce). Empty: no nonce.
std::string web_content_security_policy(const std::string& style_nonce = "");

// Where index.html carries the page's style nonce for the app (<meta name="vidseg-csp-nonce">); the
// server replaces it in every HTML page it serves.
inline constexpr const char* kCspNoncePlaceholder = "__VIDSEG_CSP_NONCE__";

}  // namespace vidseg::server
