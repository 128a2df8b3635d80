#include "vidseg/core/atomic_dir.hpp"

#include <unistd.h>

#include <fstream>
#include <random>
#include <string>

#include "vidseg/core/error.hpp"

namespace fs = std::filesystem;

namespace vidseg {

namespace {

std::string random_suffix() {
    std::random_device rd;
    std::mt19937_64 gen(rd() ^ static_cast<unsigned long long>(::getpid()));
    static const char* hex = "0123456789abcdef";
    std::string s;
    for (int i = 0; i < 8; ++i) s += hex[gen() % 16];
    return s;
}

fs::path staging_prefix(const fs::path& destination) {
    return destination.parent_path() / ("." + destination.filename().string() + ".vidseg-tmp-");
}

fs::path normalised(fs::path p) {
    p = fs::absolute(p).lexically_normal();
    if (!p.has_filename()) p = p.parent_path();
    return p;
}

}  // namespace

void remove_stale_staging(const fs::path& destination_in) {
    fs::path destination = normalised(destination_in);
    std::error_code ec;
    const std::string prefix = staging_prefix(destination).filename().string();
    for (fs::directory_iterator it(destination.parent_path(), ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.rfind(prefix, 0) == 0) fs::remove_all(it->path(), ec);
    }
}

AtomicOutputDir::AtomicOutputDir(fs::path destination) : destination_(normalised(std::move(destination))) {
    std::error_code ec;
    fs::create_directories(destination_.parent_path(), ec);
    if (ec)
        throw Error(ErrorCode::OutputError, "cannot create parent directory: " + ec.message(),
                    destination_.parent_path().string());
    if (fs::exists(destination_) && !fs::is_directory(destination_))
        throw Error(ErrorCode::OutputError, "exists and is not a directory", destination_.string());
    remove_stale_staging(destination_);
    staging_ = fs::path(staging_prefix(destination_).string() + random_suffix());
    fs::create_directory(staging_, ec);
    if (ec)
        throw Error(ErrorCode::OutputError, "cannot create output directory: " + ec.message(),
                    destination_.parent_path().string());
}

AtomicOutputDir::~AtomicOutputDir() {
    if (!committed_) {
        std::error_code ec;
        fs::remove_all(staging_, ec);
    }
}

void AtomicOutputDir::commit() {
    std::error_code ec;
    fs::path old;
    if (fs::exists(destination_)) {
        old = fs::path(staging_prefix(destination_).string() + "old-" + random_suffix());
        fs::rename(destination_, old, ec);
        if (ec)
            throw Error(ErrorCode::OutputError, "cannot replace previous output: " + ec.message(),
                        destination_.string());
    }
    fs::rename(staging_, destination_, ec);
    if (ec) {
        std::error_code ignored;
        if (!old.empty()) fs::rename(old, destination_, ignored);
        throw Error(ErrorCode::OutputError, "cannot move output into place: " + ec.message(),
                    destination_.string());
    }
    committed_ = true;
    if (!old.empty()) fs::remove_all(old, ec);
}

void write_file_atomic(const fs::path& path, const std::string& content) {
    fs::path tmp = path;
    tmp += ".tmp-" + random_suffix();
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw Error(ErrorCode::OutputError, "cannot open for writing", tmp.string());
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.flush();
        if (!out) {
            std::error_code ec;
            fs::remove(tmp, ec);
            throw Error(ErrorCode::OutputError, "write failed (disk full?)", path.string());
        }
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) {
        fs::remove(tmp, ec);
        throw Error(ErrorCode::OutputError, "cannot rename into place: " + ec.message(), path.string());
    }
}

}  // namespace vidseg
