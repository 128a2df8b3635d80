// Answers that stream: job progress as Server-Sent Events (one job, or every job of the caller) and
// a job's result files as one ZIP archive written while the objects are read from the store.
#include <chrono>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

#include "vidseg/core/cancel.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/platform/api_error.hpp"
#include "vidseg/server/router.hpp"
#include "vidseg/storage/zip_stream.hpp"

namespace vidseg::server {

using nlohmann::json;

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(250);
constexpr auto kHeartbeat = std::chrono::seconds(15);

bool ended(const std::string& state) {
    return state == "finished" || state == "error" || state == "cancelled";
}

std::string sse_event(const std::string& name, const json& data) {
    return "event: " + name + "\ndata: " + data.dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n";
}

// Sends what `poll` returns (events, and whether the stream is over) every kPollInterval until it is
// over, the client left or the server stops; a comment line keeps idle connections open.
void stream_events(Exchange& x, std::function<std::pair<std::string, bool>()> poll) {
    x.response.set_header("X-Accel-Buffering", "no");  // reverse proxies: pass events at once
    x.response.set_chunked_content_provider(
        "text/event-stream", [poll = std::move(poll)](std::size_t, httplib::DataSink& sink) {
            auto last_write = std::chrono::steady_clock::now();
            const std::string hello = "retry: 2000\n\n";
            if (!sink.write(hello.data(), hello.size())) return false;
            while (!cancel_requested() && sink.is_writable()) {
                std::pair<std::string, bool> step;
                try {
                    step = poll();
                } catch (const std::exception&) {
                    return false;  // the job was deleted, the catalog failed: the client reconnects
                }
                const auto now = std::chrono::steady_clock::now();
                if (step.first.empty() && now - last_write >= kHeartbeat) step.first = ": keep-alive\n\n";
                if (!step.first.empty()) {
                    if (!sink.write(step.first.data(), step.first.size())) return false;
                    last_write = now;
                }
                if (step.second) {
                    sink.done();
                    return true;
                }
                std::this_thread::sleep_for(kPollInterval);
            }
            return false;
        });
}

}  // namespace

void add_stream_routes(Router& router) {
    auto& platform = router.platform();

    router.add("GET", R"(/api/jobs/([^/]+)/events)", "GET /api/jobs/{id}/events", Access::User,
               [&platform](Exchange& x) {
                   const auto id = x.id();
                   const auto caller = x.who();
                   platform.job(caller, id);  // 404 before the stream starts
                   stream_events(x, [&platform, caller, id, last = std::string()]() mutable {
                       const auto doc = platform::to_json(platform.job(caller, id));
                       const std::string text = doc.dump();
                       if (ended(doc["state"].get<std::string>()))
                           return std::pair{sse_event("end", doc), true};
                       if (text == last) return std::pair{std::string(), false};
                       last = text;
                       return std::pair{sse_event("job", doc), false};
                   });
               });

    router.add("GET", "/api/events", "GET /api/events", Access::User, [&platform](Exchange& x) {
        const auto caller = x.who();
        stream_events(x, [&platform, caller, seen = std::map<std::int64_t, std::string>()]() mutable {
            std::string out;
            for (const auto& job : platform.jobs(caller)) {
                const auto doc = platform::to_json(job);
                auto text = doc.dump();
                auto& before = seen[job.id];
                if (text == before) continue;
                before = std::move(text);
                out += sse_event("job", doc);
            }
            return std::pair{out, false};
        });
    });

    router.add("GET", R"(/api/jobs/([^/]+)/files\.zip)", "GET /api/jobs/{id}/files.zip", Access::User,
               [&platform](Exchange& x) {
                   const auto id = x.id();
                   const auto job = platform.job(x.who(), id);
                   const auto files = platform.job_files(x.who(), id);
                   auto& store = platform.store();
                   x.response.set_header("Content-Disposition",
                                         "attachment; filename=\"job_" + std::to_string(id) + ".zip\"");
                   const std::int64_t when = job.finished ? job.finished : job.created;
                   x.response.set_chunked_content_provider(
                       "application/zip", [&store, files, when](std::size_t, httplib::DataSink& sink) {
                           try {
                               storage::ZipStreamWriter zip([&sink](const char* data, std::size_t size) {
                                   if (!sink.write(data, size))
                                       throw Error(ErrorCode::OutputError, "the client left");
                               });
                               for (const auto& f : files) {
                                   zip.begin_entry(f.name, f.size, when);
                                   store.read(f.key, [&zip](const char* data, std::size_t size) {
                                       zip.write(data, size);
                                   });
                                   zip.end_entry();
                               }
                               zip.finish();
                           } catch (const std::exception& e) {
                               // Headers are gone: an archive cut short (no central directory) is
                               // what tells the client; the log says why.
                               log_line({{"level", "error"}, {"event", "zip"}, {"message", e.what()}});
                               return false;
                           }
                           sink.done();
                           return true;
                       });
               });
}

}  // namespace vidseg::server
