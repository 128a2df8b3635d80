// Prometheus text-format metrics, written by hand (Debian 12 has no prometheus-cpp): requests and a
// latency histogram per route, upload bytes; job counts by state and the workers' leases are read from
// the catalog when scraped.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "vidseg/catalog/catalog.hpp"

namespace vidseg::server {

class Metrics {
  public:
    static constexpr std::array<double, 10> kBuckets = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30};

    void observe(const std::string& route, int status, double seconds);
    void add_upload_bytes(std::uint64_t bytes) { upload_bytes_ += bytes; }
    std::string render(const std::map<std::string, std::int64_t>& jobs_by_state,
                       const catalog::LeaseStats& leases) const;

  private:
    struct Histogram {
        std::array<std::uint64_t, kBuckets.size()> buckets{};
        std::uint64_t count = 0;
        double sum = 0;
    };
    mutable std::mutex mutex_;
    std::map<std::pair<std::string, int>, std::uint64_t> requests_;  // (route, status) -> count
    std::map<std::string, Histogram> latency_;
    std::atomic<std::uint64_t> upload_bytes_{0};
};

// A Prometheus label value: backslash, quote and newline escaped.
std::string prometheus_label(const std::string& value);

}  // namespace vidseg::server
