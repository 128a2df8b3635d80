#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "command.hpp"
#include "platform_options.hpp"
#include "serve_agent.hpp"
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
    config.db = options.str("db");
    config.store = store_config(options);
    if (options.has("max-upload"))
        config.max_upload = static_cast<std::uint64_t>(options.integer("max-upload"));
    if (options.has("workers")) config.workers = static_cast<int>(options.integer("workers"));
    if (options.has("max-active-jobs"))
        config.max_active_jobs = static_cast<std::size_t>(options.integer("max-active-jobs"));
    if (options.has("abandoned-upload-hours"))
        config.abandoned_upload_age =
            std::chrono::seconds(std::max<long long>(1, std::llround(options.number("abandoned-upload-hours") * 3600)));
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
    config.http_workers = static_cast<int>(options.integer("http-workers"));
    config.keep_alive_requests = static_cast<int>(options.integer("keep-alive-requests"));
    config.read_timeout_seconds = static_cast<int>(options.integer("read-timeout"));
    config.write_timeout_seconds = static_cast<int>(options.integer("write-timeout"));
    config.secure_cookies = options.flag("secure-cookies");
    config.web_dir = options.str("web");
    config.label_studio.url = options.str("label-studio-url");
    config.label_studio.token = options.str("label-studio-token");
    config.label_studio.webhook_secret = options.str("label-studio-webhook-secret");
    config.label_studio.public_url = options.str("public-url");
    platform.start_workers();
    platform.start_housekeeping();
    const auto agent = start_serve_agent(options);
    if (agent) config.extra_metrics = [&agent] { return agent->metrics(); };
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
    auto catalog = catalog::open_catalog(
        options.str("db"), (std::filesystem::path(options.str("data")) / "catalog.sqlite").string());
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
            "With --db postgresql://... the catalog is shared: `vidseg worker` processes on any machine run\n"
            "jobs too (give them the same --db and --storage).\n"
            "Everything lives in --data DIR: the SQLite catalog, the local object store, unfinished "
            "uploads.\n"
            "The first start creates the account 'admin' and prints its one-time password once.\n"
            "Every option can also come from the environment variable named after it (VIDSEG_LISTEN, ...)\n"
            "or from a config file (--config FILE or VIDSEG_CONFIG: one 'name = value' per line, e.g.\n"
            "'listen = 0.0.0.0:8080', '#' comments). Precedence: flags > VIDSEG_* > config file > defaults.\n"
            "Jobs: prepare, dataset build, transcribe, intro detect (their options are the CLI commands'),\n"
            "and the arrival job of each upload.\n"
            "With --agent-source and --agent-publish the server also runs the watch agent of `vidseg agent watch`\n"
            "(its counters, vidseg_agent_*, on /metrics; its events in the log).",
        .positionals = {},
        .options =
            {
                {.name = "config",
                 .short_name = 'c',
                 .type = OptionType::Path,
                 .help = "Config file with the defaults of these options ('name = value' lines).",
                 .metavar = "FILE"},
                data_option(),
                {.name = "listen",
                 .short_name = 'l',
                 .type = OptionType::String,
                 .default_value = "127.0.0.1:8080",
                 .help = "Address to listen on (port 0 = any free port, printed at start).",
                 .metavar = "HOST:PORT"},
                db_option("Shared catalog in PostgreSQL (a deployment with `vidseg worker`s); default: "
                          "the SQLite file DIR/catalog.sqlite."),
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
                {.name = "max-active-jobs",
                 .type = OptionType::Int,
                 .default_value = "0",
                 .help = "Queued or running jobs (active projects) a dl-user may have at once; more answer 429 "
                         "(0 = no limit; admins have none).",
                 .metavar = "N",
                 .min = 0,
                 .max = 100000},
                {.name = "abandoned-upload-hours",
                 .type = OptionType::Double,
                 .default_value = "24",
                 .help = "Unfinished uploads no byte reached for this long are removed (checked periodically).",
                 .metavar = "HOURS",
                 .min = 0.0002,
                 .max = 87600},
                {.name = "threads",
                 .type = OptionType::Int,
                 .default_value = "256",
                 .help = "Threads at most: the workers plus one per request that holds its thread (an upload's "
                         "body, a streamed answer); beyond, those requests wait.",
                 .min = 1,
                 .max = 1024},
                {.name = "http-workers",
                 .type = OptionType::Int,
                 .default_value = "0",
                 .help = "Threads serving the requests of all connections (kept-alive clients wait in one epoll "
                         "set, no thread each); 0 = one per core, at least 2.",
                 .metavar = "N",
                 .min = 0,
                 .max = 256},
                {.name = "keep-alive-requests",
                 .type = OptionType::Int,
                 .default_value = "100",
                 .help = "Requests a client may send on one kept-alive connection before the server closes it.",
                 .metavar = "N",
                 .min = 1,
                 .max = 1000000},
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
                {.name = "label-studio-url",
                 .type = OptionType::String,
                 .help = "Label Studio server the platform creates projects in and pulls annotations from.",
                 .metavar = "URL"},
                {.name = "label-studio-token",
                 .type = OptionType::String,
                 .help = "Label Studio API token: the legacy token or a personal access token (JWT, refreshed "
                         "automatically); prefer the variable VIDSEG_LABEL_STUDIO_TOKEN.",
                 .metavar = "TOKEN"},
                {.name = "label-studio-webhook-secret",
                 .type = OptionType::String,
                 .help = "Shared secret of Label Studio's annotation webhooks (header X-Vidseg-Webhook-Secret); "
                         "empty = no webhooks, pull only.",
                 .metavar = "SECRET"},
                {.name = "public-url",
                 .type = OptionType::String,
                 .help = "Base URL Label Studio and browsers reach this server under (webhooks, media links of a "
                         "local store); default: the listening address.",
                 .metavar = "URL"},
            },
        .examples =
            "  vidseg serve --data /srv/vidseg\n"
            "  VIDSEG_DATA=/srv/vidseg VIDSEG_LISTEN=0.0.0.0:8080 vidseg serve\n"
            "  vidseg serve --config /etc/vidseg/serve.conf\n"
            "  vidseg serve --data /srv/vidseg --agent-source /srv/lessons --agent-publish s3://datasets/ppi --agent-every 5m",
        .env_prefix = "VIDSEG_",
    };
    const auto storage = storage_options(
        "Object store: a folder, or s3://BUCKET/PREFIX (see the S3 options). Default: DIR/store.");
    spec.options.insert(spec.options.begin() + 3, storage.begin(), storage.end());  // after --db
    for (auto& o : serve_agent_options()) spec.options.push_back(o);
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
                db_option("The server's shared PostgreSQL catalog, when it has one."),
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
