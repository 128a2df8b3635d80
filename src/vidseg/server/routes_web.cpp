// The web UI at / (web/, built by Vite): its files, and index.html for every other path that is not
// the API's, so the app's own URLs (/videos/3) survive a reload. Without a built UI, / explains how to
// build it and the API works as before.
#include <cstring>
#include <fstream>
#include <sstream>

#include "vidseg/platform/crypto.hpp"
#include "vidseg/server/router.hpp"
#include "vidseg/server/web_assets.hpp"

namespace vidseg::server {

namespace {

constexpr const char* kNotBuilt =
    "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>vidseg</title>"
    "<p>The vidseg web UI is not built. Run <code>scripts/build.sh</code> (it builds web/ when npm is "
    "installed) or give its folder with <code>--web DIR</code>. The API is at <a "
    "href=\"/api/openapi.json\">/api/openapi.json</a>.</p></html>\n";

void set_page_headers(httplib::Response& response, const std::string& style_nonce = "") {
    response.set_header("Content-Security-Policy", web_content_security_policy(style_nonce));
    response.set_header("X-Frame-Options", "DENY");
    response.set_header("Referrer-Policy", "same-origin");
}

}  // namespace

void add_web_routes(Router& router, const std::optional<std::filesystem::path>& root) {
    // Every GET not under /api/ (registered last: /healthz and /metrics match first).
    router.add("GET", R"(/(?!api/|api$).*)", "GET /{ui}", Access::Public, [root](Exchange& x) {
        if (!root) {
            x.response.status = x.request.path == "/" ? 200 : 404;
            x.response.set_content(kNotBuilt, "text/html; charset=utf-8");
            return;
        }
        const auto asset = resolve_web_asset(*root, x.request.path);
        if (!asset) {
            send_error(x.response, 404, "not_found", "no such file: " + x.request.path);
            return;
        }
        std::ifstream in(asset->file, std::ios::binary);
        std::ostringstream body;
        body << in.rdbuf();
        if (!in) {
            send_error(x.response, 500, "internal", "cannot read " + asset->file.filename().string());
            return;
        }
        // Replaces the server's default `no-store`: hashed assets never change, the rest is revalidated.
        x.response.headers.erase("Cache-Control");
        x.response.set_header("Cache-Control",
                              asset->immutable ? "public, max-age=31536000, immutable" : "no-cache");
        std::string content = body.str();
        std::string nonce;
        if (asset->content_type.rfind("text/html", 0) == 0) {
            // A fresh style nonce per page, unguessable before the page is served (CSP nonces).
            nonce = platform::random_token(18);
            for (auto at = content.find(kCspNoncePlaceholder); at != std::string::npos;
                 at = content.find(kCspNoncePlaceholder, at + nonce.size()))
                content.replace(at, std::strlen(kCspNoncePlaceholder), nonce);
        }
        set_page_headers(x.response, nonce);
        x.response.set_content(content, asset->content_type.c_str());
    });
}

}  // namespace vidseg::server
