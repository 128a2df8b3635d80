#include "vidseg/models/lesson_keyframes.hpp"

#include <algorithm>

#include "vidseg/media/frame_reader.hpp"
#include "vidseg/media/image_writer.hpp"

namespace vidseg::models {

std::string base64_encode(const std::vector<std::uint8_t>& bytes) {
    static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const unsigned v = unsigned(bytes[i]) << 16 | unsigned(bytes[i + 1]) << 8 | bytes[i + 2];
        for (int shift : {18, 12, 6, 0}) out += kAlphabet[(v >> shift) & 63];
    }
    if (i < bytes.size()) {
        unsigned v = unsigned(bytes[i]) << 16;
        if (i + 1 < bytes.size()) v |= unsigned(bytes[i + 1]) << 8;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::vector<std::string> keyframe_data_uris(const std::string& video, const std::vector<double>& times,
                                            int max_width) {
    media::FrameReaderOptions options;
    options.max_width = max_width;
    options.workers = 1;  // a handful of frames: one decoder is enough
    media::FrameReader reader(video, options);
    std::vector<double> clamped;
    for (double t : times) clamped.push_back(std::clamp(t, 0.0, reader.duration()));
    std::vector<std::string> out(times.size());
    media::ImageWriteOptions jpeg;
    jpeg.format = media::ImageFormat::Jpeg;
    jpeg.quality = 80;
    reader.read_many(clamped, [&](std::size_t i, const media::Image& image) {
        out[i] = "data:image/jpeg;base64," + base64_encode(media::encode_image(image, jpeg));
    });
    return out;
}

}  // namespace vidseg::models
