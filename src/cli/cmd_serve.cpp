#include <chrono>
#include <cstdio>
#include <iostream>

#include "command.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/platform/platform.hpp"
#include "vidseg/server/http_server.hpp"

namespace vidseg::cli {

namespace {

// --data DIR, shared by `serve` and `users add`.
OptionSpec data_option() {
    return {
        .name = "data",
        .short_name = 'd',
        .type = OptionType::Path,
        .help = "Data folder: catalog.sqlite, store/ (local storage), uploads/ (unfinished uploads), work/.",
        .metavar = "DIR"};
}

void require_data(const ParsedOptions& options) {
    if (options.str("data").empty())
        throw Error(ErrorCode::InvalidArgument, "--data DIR is required (or VIDSEG_DATA)");
}

platform::PlatformConfig platform_config(const ParsedOptions& options) {
    require_data(options);
    platform::PlatformConfig config;
    config.data_dir = options.str("data");
    if (options.has("storage")) config.store.location = options.str("storage");
    config.store.endpoint = options.str("s3-endpoint");
    config.store.public_endpoint = options.str("s3-public-endpoint");
    config.store.region = options.str("s3-region");
    config.store.access_key = options.str("s3-access-key");  // empty: the backend reads AWS_ACCESS_KEY_ID
    config.store.secret_key = options.str("s3-secret-key");
    config.store.presign_expiry = std::chrono::seconds(options.integer("presign-expiry"));
    if (options.has("max-upload"))
        config.max_upload = static_cast<std::uint64_t>(options.integer("max-upload"));
    if (options.has("workers")) config.workers = static_cast<int>(options.integer("workers"));
    return config;
}

int run_serve(const ParsedOptions& options, Context& context) {
    platform::Platform platform(platform_config(options));
    const std::string password = platform.accounts().create_first_admin();
    if (!password.empty()) {
        std::printf(
            "Created the first account: user 'admin', one-time password: %s\n"
            "(shown only now; log in with it and create the other accounts)\n",
            password.c_str());
        std::fflush(stdout);
    }
    server::ServerConfig config;
    config.listen = options.str("listen");
    config.threads = static_cast<int>(options.integer("threads"));
    config.read_timeout_seconds = static_cast<int>(options.integer("read-timeout"));
    config.write_timeout_seconds = static_cast<int>(options.integer("write-timeout"));
    config.secure_cookies = options.flag("secure-cookies");
    config.web_dir = options.str("web");
    platform.start_workers();
    server::run_server(platform, config, [&](const std::string& host, int port) {
        std::printf("vidseg serve: listening on http://%s:%d (data %s, storage %s)\n", host.c_str(), port,
                    options.str("data").c_str(), platform.store().describe().c_str());
        std::fflush(stdout);
    });
    platform.stop_workers();
    context.info("vidseg serve: stopped");
    return 0;
}

int run_users_add(const ParsedOptions& options, Context& context) {
    require_data(options);
    const auto role = catalog::role_from_name(options.str("role"));
    std::string password;
    if (options.flag("password-stdin")) {
        std::getline(std::cin, password);
        if (!password.empty() && password.back() == '\r') password.pop_back();
    } else {
        throw Error(ErrorCode::InvalidArgument, "give the password on standard input with --password-stdin");
    }
    std::filesystem::create_directories(options.str("data"));
    auto catalog = catalog::open_sqlite_catalog(
        (std::filesystem::path(options.str("data")) / "catalog.sqlite").string());
    platform::Accounts accounts(*catalog);
    const auto user = accounts.create_user(options.positionals().front(), *role, password);
    accounts.audit(nullptr, "create-user", "user " + user.name,
                   std::string(catalog::role_name(user.role)) + " (CLI)", "");
    if (context.json)
        context.print_json(platform::to_json(user));
    else if (!context.quiet)
        std::printf("Created user '%s' (%s)\n", user.name.c_str(), catalog::role_name(user.role));
    return 0;
}

}  // namespace

Command serve_command() {
    CommandSpec spec{
        .name = "serve",
        .summary = "Run the PPI platform server: accounts, resumable uploads, jobs with progress, JSON API.",
        .description =
            "Serves the JSON API (described at /api/openapi.json), the tus 1.0 upload endpoint "
            "/api/uploads/,\n"
            "/healthz and /metrics, the web UI at /, and runs jobs (prepare, and the arrival job of each "
            "upload) in-process.\n"
            "Everything lives in --data DIR: the SQLite catalog, the local object store, unfinished "
            "uploads.\n"
            "The first start creates the account 'admin' and prints its one-time password once.\n"
            "Every option can also come from the environment variable named after it (VIDSEG_LISTEN, ...).",
        .positionals = {},
        .options =
            {
                data_option(),
                {.name = "listen",
                 .short_name = 'l',
                 .type = OptionType::String,
                 .default_value = "127.0.0.1:8080",
                 .help = "Address to listen on (port 0 = any free port, printed at start).",
                 .metavar = "HOST:PORT"},
                {.name = "storage",
                 .type = OptionType::String,
                 .help = "Object store: a folder, or s3://BUCKET/PREFIX (see the S3 options). Default: "
                         "DIR/store.",
                 .metavar = "LOCATION"},
                {.name = "s3-endpoint",
                 .type = OptionType::String,
                 .help = "S3 server URL (MinIO, SeaweedFS, ...); empty = AWS for --s3-region.",
                 .metavar = "URL"},
                {.name = "s3-public-endpoint",
                 .type = OptionType::String,
                 .help = "Base URL browsers and Label Studio reach the S3 server under (presigned links).",
                 .metavar = "URL"},
                {.name = "s3-region",
                 .type = OptionType::String,
                 .default_value = "us-east-1",
                 .help = "S3 region (signatures).",
                 .metavar = "REGION"},
                {.name = "s3-access-key",
                 .type = OptionType::String,
                 .help = "S3 access key (prefer the variable: command lines are visible to other users; "
                         "else AWS_ACCESS_KEY_ID).",
                 .metavar = "KEY"},
                {.name = "s3-secret-key",
                 .type = OptionType::String,
                 .help = "S3 secret key (prefer the variable; else AWS_SECRET_ACCESS_KEY).",
                 .metavar = "KEY"},
                {.name = "presign-expiry",
                 .type = OptionType::Int,
                 .default_value = "604800",
                 .help = "Lifetime of presigned download URLs on S3 (at most 7 days).",
                 .metavar = "SECONDS",
                 .min = 1,
                 .max = 604800},
                {.name = "max-upload",
                 .type = OptionType::Int,
                 .default_value = "2147483648",
                 .help = "Largest accepted upload in bytes (a larger Upload-Length answers 413).",
                 .metavar = "BYTES",
                 .min = 1,
                 .max = 1e13},
                {.name = "workers",
                 .type = OptionType::Int,
                 .default_value = "1",
                 .help = "In-process job workers (0 = the server runs no jobs).",
                 .min = 0,
                 .max = 64},
                {.name = "threads",
                 .type = OptionType::Int,
                 .default_value = "32",
                 .help = "Request threads (concurrent connections served).",
                 .min = 1,
                 .max = 1024},
                {.name = "read-timeout",
                 .type = OptionType::Int,
                 .default_value = "10",
                 .help = "Seconds a client may stay silent while sending a request.",
                 .metavar = "SECONDS",
                 .min = 1,
                 .max = 3600},
                {.name = "write-timeout",
                 .type = OptionType::Int,
                 .default_value = "10",
                 .help = "Seconds a client may stall while receiving an answer.",
                 .metavar = "SECONDS",
                 .min = 1,
                 .max = 3600},
                {.name = "web",
                 .type = OptionType::Path,
                 .help = "Folder of the built web UI (default: web/ beside the executable, else "
                         "../share/vidseg/web).",
                 .metavar = "DIR"},
                {.name = "secure-cookies",
                 .type = OptionType::Flag,
                 .help = "Mark the session cookie Secure (when a TLS reverse proxy is in front)."},
            },
        .examples =
            "  vidseg serve --data /srv/vidseg\n"
            "  VIDSEG_DATA=/srv/vidseg VIDSEG_LISTEN=0.0.0.0:8080 vidseg serve",
        .env_prefix = "VIDSEG_",
    };
    return {spec, run_serve};
}

Command users_add_command() {
    CommandSpec spec{
        .name = "users add",
        .summary = "Create a platform account in the catalog of --data DIR (the server may be running).",
        .positionals = {{.name = "NAME", .help = "User name: letters, digits, '.', '_', '-' (1 to 64)."}},
        .options =
            {
                data_option(),
                {.name = "role",
                 .type = OptionType::Choice,
                 .default_value = "dl-user",
                 .help = "admin (manages users, sees everything) or dl-user (sees only its own work).",
                 .choices = {"admin", "dl-user"}},
                {.name = "password-stdin",
                 .type = OptionType::Flag,
                 .help = "Read the password (8 characters or more) from the first line of standard input."},
            },
        .examples =
            "  echo \"$PASSWORD\" | vidseg users add anna --role dl-user --password-stdin --data /srv/vidseg",
    };
    return {spec, run_users_add};
}

}  // namespace vidseg::cli
