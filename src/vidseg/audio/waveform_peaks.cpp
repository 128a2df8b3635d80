#include "vidseg/audio/waveform_peaks.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>

#include "vidseg/core/error.hpp"

namespace vidseg::audio {

namespace {

std::uint32_t le32(const unsigned char* p) {
    return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}
std::uint16_t le16(const unsigned char* p) {
    return static_cast<std::uint16_t>(p[0] | p[1] << 8);
}

constexpr int kPcm = 1, kFloat = 3, kExtensible = 0xFFFE;

}  // namespace

WaveformPeakReader::WaveformPeakReader(std::size_t count, std::string subject)
    : count_(count), subject_(std::move(subject)) {
    if (count_ == 0 || count_ > 1'000'000)
        throw Error(ErrorCode::InvalidArgument, "waveform peaks: count must be 1 to 1000000", subject_);
}

void WaveformPeakReader::feed(const char* data, std::size_t size) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(data);
    std::size_t i = 0;
    while (i < size) {
        if (state_ == State::Done) return;  // chunks after the data are not needed
        if (state_ == State::Data) {
            const int width = bits_ / 8;
            const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, size - i));
            std::size_t j = 0;
            // Whole samples straight from the buffer; a sample split between two pieces byte by byte.
            while (j < take) {
                if (sample_fill_ == 0 && take - j >= std::size_t(width)) {
                    sample(magnitude(bytes + i + j));
                    j += std::size_t(width);
                    continue;
                }
                sample_bytes_[sample_fill_++] = bytes[i + j++];
                if (sample_fill_ == width) {
                    sample_fill_ = 0;
                    sample(magnitude(sample_bytes_));
                }
            }
            i += take;
            remaining_ -= take;
            if (remaining_ == 0) state_ = State::Done;
            continue;
        }
        header_byte(bytes[i++]);
    }
}

void WaveformPeakReader::header_byte(unsigned char byte) {
    switch (state_) {
        case State::Riff:
            pending_.push_back(byte);
            if (pending_.size() < 12) return;
            if (std::memcmp(pending_.data(), "RIFF", 4) != 0 || std::memcmp(pending_.data() + 8, "WAVE", 4) != 0)
                throw Error(ErrorCode::InvalidData, "not a WAV file (no RIFF/WAVE header)", subject_);
            pending_.clear();
            state_ = State::ChunkHeader;
            return;
        case State::ChunkHeader: {
            pending_.push_back(byte);
            if (pending_.size() < 8) return;
            const std::uint32_t size = le32(pending_.data() + 4);
            const bool fmt = std::memcmp(pending_.data(), "fmt ", 4) == 0;
            const bool data = std::memcmp(pending_.data(), "data", 4) == 0;
            pending_.clear();
            remaining_ = size;
            padded_ = size % 2 == 1;
            if (fmt) {
                if (size < 16 || size > 4096)
                    throw Error(ErrorCode::InvalidData, "WAV fmt chunk of " + std::to_string(size) + " bytes", subject_);
                state_ = State::Fmt;
            } else if (data) {
                if (format_ == 0) throw Error(ErrorCode::InvalidData, "WAV data chunk before its fmt chunk", subject_);
                const std::uint64_t frame_bytes = std::uint64_t(result_.channels) * std::uint64_t(bits_ / 8);
                result_.frames = size / frame_bytes;
                total_samples_ = result_.frames * std::uint64_t(result_.channels);
                remaining_ = total_samples_ * std::uint64_t(bits_ / 8);  // a partial last frame is left out
                const std::size_t peaks = static_cast<std::size_t>(std::min<std::uint64_t>(count_, result_.frames));
                result_.peaks.assign(peaks, 0.0f);
                bucket_ = 0;
                bucket_end_ = peaks ? (result_.frames / peaks) * std::uint64_t(result_.channels) : 0;
                state_ = remaining_ ? State::Data : State::Done;
            } else {
                state_ = remaining_ || padded_ ? State::Skip : State::ChunkHeader;
            }
            return;
        }
        case State::Fmt:
            pending_.push_back(byte);
            if (pending_.size() < remaining_) return;
            format_ = le16(pending_.data());
            result_.channels = le16(pending_.data() + 2);
            result_.sample_rate = static_cast<int>(le32(pending_.data() + 4));
            bits_ = le16(pending_.data() + 14);
            if (format_ == kExtensible && pending_.size() >= 26) format_ = le16(pending_.data() + 24);
            pending_.clear();
            if (!((format_ == kPcm && bits_ == 16) || (format_ == kFloat && bits_ == 32)))
                throw Error(ErrorCode::InvalidData,
                            "WAV samples of format " + std::to_string(format_) + ", " + std::to_string(bits_) +
                                " bits: only PCM 16-bit and float 32-bit are read",
                            subject_);
            if (result_.channels < 1 || result_.channels > 64 || result_.sample_rate < 1)
                throw Error(ErrorCode::InvalidData, "WAV fmt chunk with " + std::to_string(result_.channels) +
                                                        " channels at " + std::to_string(result_.sample_rate) + " Hz",
                            subject_);
            remaining_ = 0;
            state_ = padded_ ? State::Skip : State::ChunkHeader;
            return;
        case State::Skip:
            if (remaining_ > 0) {
                --remaining_;
            } else {
                padded_ = false;  // this was the pad byte
            }
            if (remaining_ == 0 && !padded_) state_ = State::ChunkHeader;
            return;
        case State::Data:
        case State::Done:
            return;
    }
}

float WaveformPeakReader::magnitude(const unsigned char* p) const {
    if (format_ == kPcm) return std::abs(float(std::int16_t(le16(p)))) / 32768.0f;
    float f;
    const std::uint32_t raw = le32(p);
    std::memcpy(&f, &raw, sizeof f);
    return std::isfinite(f) ? std::min(1.0f, std::abs(f)) : 1.0f;
}

void WaveformPeakReader::sample(float magnitude) {
    // Bucket b holds the frames [b * frames / peaks, (b + 1) * frames / peaks).
    while (sample_index_ >= bucket_end_ && bucket_ + 1 < result_.peaks.size()) {
        ++bucket_;
        bucket_end_ = ((bucket_ + 1) * result_.frames / result_.peaks.size()) * std::uint64_t(result_.channels);
    }
    float& peak = result_.peaks[bucket_];
    peak = std::max(peak, magnitude);
    ++sample_index_;
}

WaveformPeaks WaveformPeakReader::finish() {
    if (state_ != State::Done)
        throw Error(ErrorCode::InvalidData,
                    format_ == 0 ? "not a whole WAV file (its header is cut short)"
                                 : "the WAV file is cut short (" + std::to_string(sample_index_) + " of " +
                                       std::to_string(total_samples_) + " samples)",
                    subject_);
    result_.duration = result_.sample_rate ? double(result_.frames) / result_.sample_rate : 0;
    return result_;
}

WaveformPeaks waveform_peaks(const std::filesystem::path& wav, std::size_t count) {
    std::ifstream in(wav, std::ios::binary);
    if (!in) throw Error(ErrorCode::InputNotFound, "cannot open the WAV file", wav.string());
    WaveformPeakReader reader(count, wav.string());
    std::vector<char> buffer(1 << 16);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        if (in.gcount() > 0) reader.feed(buffer.data(), static_cast<std::size_t>(in.gcount()));
    }
    return reader.finish();
}

}  // namespace vidseg::audio
