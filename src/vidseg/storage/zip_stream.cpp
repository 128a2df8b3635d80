#include "vidseg/storage/zip_stream.hpp"

#include <array>
#include <ctime>
#include <set>

#include "vidseg/core/error.hpp"
#include "vidseg/storage/object_store.hpp"

namespace vidseg::storage {

namespace {

constexpr std::uint32_t kMax32 = 0xFFFFFFFFu;
constexpr std::uint16_t kVersion = 45;    // 4.5: ZIP64
constexpr std::uint16_t kFlags = 0x0808;  // bit 3: data descriptor, bit 11: UTF-8 names

const std::array<std::uint32_t, 256>& crc_table() {
    static const auto table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    return table;
}

// Little-endian fields.
void put16(std::string& out, std::uint64_t v) {
    for (int i = 0; i < 2; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}
void put32(std::string& out, std::uint64_t v) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}
void put64(std::string& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}
std::uint32_t clamp32(std::uint64_t v) {
    return v >= kMax32 ? kMax32 : static_cast<std::uint32_t>(v);
}

}  // namespace

std::uint32_t crc32_update(std::uint32_t crc, const char* data, std::size_t size) {
    const auto& table = crc_table();
    crc = ~crc;
    for (std::size_t i = 0; i < size; ++i)
        crc = table[(crc ^ static_cast<unsigned char>(data[i])) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

ZipStreamWriter::ZipStreamWriter(Sink sink) : sink_(std::move(sink)) {}

void ZipStreamWriter::emit(const std::string& bytes) {
    sink_(bytes.data(), bytes.size());
    offset_ += bytes.size();
}

void ZipStreamWriter::begin_entry(const std::string& name, std::uint64_t expected_size,
                                  std::int64_t unix_time) {
    if (open_ || finished_) throw Error(ErrorCode::Internal, "zip: an entry is still open");
    check_key(name);
    for (const auto& e : entries_)
        if (e.name == name) throw Error(ErrorCode::InvalidArgument, "zip: the name is given twice", name);
    Entry entry;
    entry.name = name;
    entry.offset = offset_;
    entry.zip64_local = expected_size >= kMax32;
    std::tm tm{};
    const std::time_t t = static_cast<std::time_t>(unix_time);
    gmtime_r(&t, &tm);
    if (tm.tm_year < 80) tm = std::tm{.tm_mday = 1, .tm_year = 80};
    entry.dos_time = static_cast<std::uint16_t>((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
    entry.dos_date =
        static_cast<std::uint16_t>(((tm.tm_year - 80) << 9) | ((tm.tm_mon + 1) << 5) | tm.tm_mday);
    std::string h;
    put32(h, 0x04034b50);
    put16(h, kVersion);
    put16(h, kFlags);
    put16(h, 0);  // stored
    put16(h, entry.dos_time);
    put16(h, entry.dos_date);
    put32(h, 0);  // CRC and sizes follow in the data descriptor
    put32(h, entry.zip64_local ? kMax32 : 0);
    put32(h, entry.zip64_local ? kMax32 : 0);
    put16(h, name.size());
    put16(h, entry.zip64_local ? 20 : 0);
    h += name;
    if (entry.zip64_local) {
        put16(h, 0x0001);
        put16(h, 16);
        put64(h, 0);
        put64(h, 0);
    }
    entries_.push_back(std::move(entry));
    open_ = true;
    emit(h);
}

void ZipStreamWriter::write(const char* data, std::size_t size) {
    if (!open_) throw Error(ErrorCode::Internal, "zip: no entry is open");
    auto& e = entries_.back();
    e.crc = crc32_update(e.crc, data, size);
    e.size += size;
    sink_(data, size);
    offset_ += size;
}

void ZipStreamWriter::end_entry() {
    if (!open_) throw Error(ErrorCode::Internal, "zip: no entry is open");
    open_ = false;
    auto& e = entries_.back();
    if (!e.zip64_local && e.size >= kMax32)
        throw Error(ErrorCode::InvalidData, "zip: the entry grew past 4 GiB, more than announced", e.name);
    std::string d;
    put32(d, 0x08074b50);
    put32(d, e.crc);
    if (e.zip64_local) {
        put64(d, e.size);
        put64(d, e.size);
    } else {
        put32(d, e.size);
        put32(d, e.size);
    }
    emit(d);
}

void ZipStreamWriter::finish() {
    if (open_) end_entry();
    if (finished_) return;
    finished_ = true;
    const std::uint64_t directory_offset = offset_;
    for (const auto& e : entries_) {
        std::string extra;
        if (e.size >= kMax32) {
            put64(extra, e.size);  // uncompressed
            put64(extra, e.size);  // compressed
        }
        if (e.offset >= kMax32) put64(extra, e.offset);
        std::string c;
        put32(c, 0x02014b50);
        put16(c, (3 << 8) | kVersion);  // made by: UNIX
        put16(c, kVersion);
        put16(c, kFlags);
        put16(c, 0);
        put16(c, e.dos_time);
        put16(c, e.dos_date);
        put32(c, e.crc);
        put32(c, clamp32(e.size));
        put32(c, clamp32(e.size));
        put16(c, e.name.size());
        put16(c, extra.empty() ? 0 : extra.size() + 4);
        put16(c, 0);               // comment
        put16(c, 0);               // disk
        put16(c, 0);               // internal attributes
        put32(c, 0100644u << 16);  // a regular file, rw-r--r--
        put32(c, clamp32(e.offset));
        c += e.name;
        if (!extra.empty()) {
            put16(c, 0x0001);
            put16(c, extra.size());
            c += extra;
        }
        emit(c);
    }
    const std::uint64_t directory_size = offset_ - directory_offset;
    const bool zip64 = entries_.size() >= 0xFFFF || directory_offset >= kMax32 || directory_size >= kMax32;
    std::string end;
    if (zip64) {
        const std::uint64_t record_offset = offset_;
        put32(end, 0x06064b50);
        put64(end, 44);
        put16(end, (3 << 8) | kVersion);
        put16(end, kVersion);
        put32(end, 0);
        put32(end, 0);
        put64(end, entries_.size());
        put64(end, entries_.size());
        put64(end, directory_size);
        put64(end, directory_offset);
        put32(end, 0x07064b50);  // locator
        put32(end, 0);
        put64(end, record_offset);
        put32(end, 1);
    }
    put32(end, 0x06054b50);
    put16(end, 0);
    put16(end, 0);
    put16(end, zip64 ? 0xFFFF : entries_.size());
    put16(end, zip64 ? 0xFFFF : entries_.size());
    put32(end, clamp32(directory_size));
    put32(end, clamp32(directory_offset));
    put16(end, 0);
    emit(end);
}

}  // namespace vidseg::storage
