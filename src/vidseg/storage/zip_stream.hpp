// A ZIP archive written front to back into a byte sink, in constant memory: entries are stored (no
// compression: results are mostly video, audio and JPEG), each followed by a data descriptor with
// its CRC-32 and sizes, so nothing needs to be known before the bytes pass; the central directory at
// the end repeats them. ZIP64 fields are used where an entry, an offset or the entry count outgrows
// the classic format, so archives above 4 GiB open too. Names are checked like store keys
// (check_key: no "..", no leading '/', no backslash or control characters) and flagged UTF-8.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace vidseg::storage {

// CRC-32 (ISO-HDLC, as ZIP and gzip use it), continued from `crc` (0 to start).
std::uint32_t crc32_update(std::uint32_t crc, const char* data, std::size_t size);

class ZipStreamWriter {
  public:
    using Sink = std::function<void(const char*, std::size_t)>;
    explicit ZipStreamWriter(Sink sink);

    // Starts an entry (the previous one must be ended). expected_size decides the local header's
    // ZIP64 form (>= 4 GiB); the real size is what write() gets. Throws InvalidArgument for a bad name
    // or a name given twice.
    void begin_entry(const std::string& name, std::uint64_t expected_size, std::int64_t unix_time);
    void write(const char* data, std::size_t size);
    void end_entry();
    // Writes the central directory; the archive is complete.
    void finish();

    std::uint64_t bytes_written() const { return offset_; }

  private:
    struct Entry {
        std::string name;
        std::uint64_t offset = 0, size = 0;
        std::uint32_t crc = 0;
        std::uint16_t dos_time = 0, dos_date = 0;
        bool zip64_local = false;
    };
    void emit(const std::string& bytes);

    Sink sink_;
    std::vector<Entry> entries_;
    std::uint64_t offset_ = 0;
    bool open_ = false, finished_ = false;
};

}  // namespace vidseg::storage
