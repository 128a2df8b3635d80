#include "vidseg/audio/wav_writer.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>

#include "vidseg/core/error.hpp"

namespace vidseg::audio {

namespace {

void put_u32(uint8_t* p, uint32_t v) {
    p[0] = static_cast<uint8_t>(v);
    p[1] = static_cast<uint8_t>(v >> 8);
    p[2] = static_cast<uint8_t>(v >> 16);
    p[3] = static_cast<uint8_t>(v >> 24);
}
void put_u16(uint8_t* p, uint16_t v) {
    p[0] = static_cast<uint8_t>(v);
    p[1] = static_cast<uint8_t>(v >> 8);
}

// 44-byte canonical header for data_bytes of PCM s16le.
void make_header(uint8_t* h, int rate, int channels, uint64_t data_bytes) {
    const uint32_t data = data_bytes > 0xFFFFFFFFull - 36 ? 0xFFFFFFFFu - 36 : static_cast<uint32_t>(data_bytes);
    std::memcpy(h, "RIFF", 4);
    put_u32(h + 4, 36 + data);
    std::memcpy(h + 8, "WAVEfmt ", 8);
    put_u32(h + 16, 16);
    put_u16(h + 20, 1);  // PCM
    put_u16(h + 22, static_cast<uint16_t>(channels));
    put_u32(h + 24, static_cast<uint32_t>(rate));
    put_u32(h + 28, static_cast<uint32_t>(rate * channels * 2));
    put_u16(h + 32, static_cast<uint16_t>(channels * 2));
    put_u16(h + 34, 16);
    std::memcpy(h + 36, "data", 4);
    put_u32(h + 40, data);
}

}  // namespace

WavWriter::WavWriter(const std::string& path, int sample_rate, int channels)
    : path_(path), rate_(sample_rate), channels_(channels) {
    if (sample_rate < 1 || sample_rate > 768000)
        throw Error(ErrorCode::InvalidArgument, "sample rate must be in 1..768000, got " + std::to_string(sample_rate));
    if (channels < 1 || channels > 32)
        throw Error(ErrorCode::InvalidArgument, "channel count must be in 1..32, got " + std::to_string(channels));
    file_.reset(std::fopen(path.c_str(), "wb"));
    if (!file_) throw Error(ErrorCode::OutputError, std::string("cannot open for writing: ") + std::strerror(errno), path);
    uint8_t header[44];
    make_header(header, rate_, channels_, 0);
    if (std::fwrite(header, 1, sizeof(header), file_.get()) != sizeof(header))
        throw Error(ErrorCode::OutputError, "write failed (disk full?)", path_);
}

WavWriter::~WavWriter() {
    try {
        close();
    } catch (...) {
    }
}

void WavWriter::write(const float* samples, size_t frames) {
    if (!file_) throw Error(ErrorCode::OutputError, "write after close", path_);
    const size_t n = frames * static_cast<size_t>(channels_);
    buffer_.resize(n);
    for (size_t i = 0; i < n; ++i) {
        float v = samples[i];
        if (!(v == v)) v = 0;  // NaN
        v = v > 1.f ? 1.f : v < -1.f ? -1.f : v;
        buffer_[i] = static_cast<int16_t>(std::lrint(v * 32767.f));
    }
    // WAV is little-endian; so is every platform vidseg builds on (x86-64, aarch64).
    if (n && std::fwrite(buffer_.data(), sizeof(int16_t), n, file_.get()) != n)
        throw Error(ErrorCode::OutputError, "write failed (disk full?)", path_);
    frames_ += frames;
}

void WavWriter::close() {
    if (!file_) return;
    auto file = std::move(file_);
    uint8_t header[44];
    make_header(header, rate_, channels_, static_cast<uint64_t>(frames_) * channels_ * 2);
    bool ok = std::fseek(file.get(), 0, SEEK_SET) == 0 && std::fwrite(header, 1, sizeof(header), file.get()) == sizeof(header);
    ok = std::fflush(file.get()) == 0 && ok;
    ok = std::fclose(file.release()) == 0 && ok;
    if (!ok) throw Error(ErrorCode::OutputError, "write failed (disk full?)", path_);
}

}  // namespace vidseg::audio
