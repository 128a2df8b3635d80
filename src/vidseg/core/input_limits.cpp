#include "vidseg/core/input_limits.hpp"

#include <cstdlib>
#include <fstream>

#include "vidseg/core/error.hpp"

namespace fs = std::filesystem;

namespace vidseg {

uint64_t limit_value(const InputLimit& limit) {
    const char* text = std::getenv(limit.env);
    if (text == nullptr || *text == '\0') return limit.default_value;
    const std::string_view s(text);
    uint64_t value = 0;
    for (const char c : s) {
        if (c < '0' || c > '9' || value > (UINT64_MAX - 9) / 10)
            throw Error(ErrorCode::InvalidArgument, std::string("environment variable ") + limit.env +
                                                        " must be a positive integer (" + limit.unit +
                                                        "), not '" + std::string(s) + "'");
        value = value * 10 + static_cast<uint64_t>(c - '0');
    }
    if (value == 0)
        throw Error(ErrorCode::InvalidArgument,
                    std::string("environment variable ") + limit.env + " must be a positive integer, not 0");
    return value;
}

void check_limit(const InputLimit& limit, uint64_t value, const std::string& subject,
                 std::string_view detail) {
    const uint64_t max = limit_value(limit);
    if (value <= max) return;
    throw Error(ErrorCode::Unsupported,
                std::string(detail) + " is " + std::to_string(value) + " " + limit.unit +
                    ", over the limit of " + std::to_string(max) + " " + limit.unit + " for " + limit.what +
                    " (set " + limit.env + "=N to raise it)",
                subject);
}

std::string read_limited_file(const fs::path& path, const InputLimit& limit) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::InputNotFound, "cannot open file", path.string());
    const uint64_t max = limit_value(limit);
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) {
        const uint64_t size = fs::file_size(path, ec);
        if (!ec) check_limit(limit, size, path.string(), "the file");
    }
    // Read in blocks, never past the limit (a pipe or a file that grows while we read).
    std::string data;
    char block[1 << 16];
    while (in) {
        in.read(block, sizeof block);
        data.append(block, static_cast<size_t>(in.gcount()));
        if (data.size() > max) check_limit(limit, data.size(), path.string(), "the file (at least)");
    }
    if (in.bad()) throw Error(ErrorCode::InputNotFound, "read error", path.string());
    return data;
}

}  // namespace vidseg
