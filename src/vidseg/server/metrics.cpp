#include "vidseg/server/metrics.hpp"

#include <sstream>

namespace vidseg::server {

std::string prometheus_label(const std::string& value) {
    std::string out;
    for (char c : value) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

void Metrics::observe(const std::string& route, int status, double seconds) {
    std::lock_guard lock(mutex_);
    ++requests_[{route, status}];
    auto& h = latency_[route];
    for (std::size_t i = 0; i < kBuckets.size(); ++i)
        if (seconds <= kBuckets[i]) ++h.buckets[i];
    ++h.count;
    h.sum += seconds;
}

std::string Metrics::render(const std::map<std::string, std::int64_t>& jobs_by_state,
                            const catalog::LeaseStats& leases) const {
    std::ostringstream s;
    std::lock_guard lock(mutex_);
    s << "# HELP vidseg_http_requests_total HTTP requests by route and status.\n"
         "# TYPE vidseg_http_requests_total counter\n";
    for (const auto& [key, count] : requests_)
        s << "vidseg_http_requests_total{route=\"" << prometheus_label(key.first) << "\",status=\""
          << key.second << "\"} " << count << "\n";
    s << "# HELP vidseg_http_request_duration_seconds Time to answer a request, by route.\n"
         "# TYPE vidseg_http_request_duration_seconds histogram\n";
    for (const auto& [route, h] : latency_) {
        const std::string label = prometheus_label(route);
        for (std::size_t i = 0; i < kBuckets.size(); ++i)
            s << "vidseg_http_request_duration_seconds_bucket{route=\"" << label << "\",le=\"" << kBuckets[i]
              << "\"} " << h.buckets[i] << "\n";
        s << "vidseg_http_request_duration_seconds_bucket{route=\"" << label << "\",le=\"+Inf\"} " << h.count
          << "\n";
        s << "vidseg_http_request_duration_seconds_sum{route=\"" << label << "\"} " << h.sum << "\n";
        s << "vidseg_http_request_duration_seconds_count{route=\"" << label << "\"} " << h.count << "\n";
    }
    s << "# HELP vidseg_jobs Jobs in the catalog by state.\n# TYPE vidseg_jobs gauge\n";
    for (const auto& [state, count] : jobs_by_state)
        s << "vidseg_jobs{state=\"" << prometheus_label(state) << "\"} " << count << "\n";
    s << "# HELP vidseg_jobs_leased Running jobs each worker holds a lease on.\n# TYPE vidseg_jobs_leased "
         "gauge\n";
    for (const auto& [worker, count] : leases.leased_by_worker)
        s << "vidseg_jobs_leased{worker=\"" << prometheus_label(worker) << "\"} " << count << "\n";
    s << "# HELP vidseg_job_lease_expiries_total Jobs queued again because their worker's lease expired "
         "(over the jobs in the catalog).\n"
         "# TYPE vidseg_job_lease_expiries_total counter\n"
         "vidseg_job_lease_expiries_total "
      << leases.expired_requeued << "\n";
    s << "# HELP vidseg_upload_bytes_total Bytes received by the tus upload endpoint.\n"
         "# TYPE vidseg_upload_bytes_total counter\n"
         "vidseg_upload_bytes_total "
      << upload_bytes_.load() << "\n";
    return s.str();
}

}  // namespace vidseg::server
