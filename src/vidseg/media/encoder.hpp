// Encoder setup shared by the cutter (and anything else that re-encodes). PRIVATE to src/vidseg/media.
#pragma once

#include <string>

#include "vidseg/media/cutter.hpp"
#include "vidseg/media/ffmpeg_util.hpp"

namespace vidseg::media {

struct VideoEncoderConfig {
    std::string codec;  // "libx264", "libvpx-vp9"
    int width = 0, height = 0;
    AVPixelFormat pix_fmt = AV_PIX_FMT_YUV420P;
    AVRational time_base{1, 25};
    AVRational frame_rate{25, 1};
    AVRational sample_aspect_ratio{0, 1};
    // Colour description copied from the decoder so spliced parts look the same.
    AVColorRange color_range = AVCOL_RANGE_UNSPECIFIED;
    AVColorSpace colorspace = AVCOL_SPC_UNSPECIFIED;
    AVColorPrimaries color_primaries = AVCOL_PRI_UNSPECIFIED;
    AVColorTransferCharacteristic color_trc = AVCOL_TRC_UNSPECIFIED;
    int crf = 18;
    std::string preset = kDefaultPreset;
    // false: parameter sets in-band before every keyframe (needed when splicing into a copied track).
    bool global_header = true;
};

// True when the named encoder exists and accepts pix_fmt.
bool video_encoder_accepts(const std::string& codec, AVPixelFormat pix_fmt);

// Opens a video encoder without B-frames (output order == input order, so DTS can be derived from
// PTS when splicing). Throws Unsupported (no such encoder) or InvalidArgument (bad crf/preset).
CodecContextPtr open_video_encoder(const VideoEncoderConfig& config, const std::string& subject);

// Opens "aac" or "libopus" for the given layout/rate (Opus is forced to 48 kHz and at most stereo).
CodecContextPtr open_audio_encoder(const std::string& codec, const AVChannelLayout& layout, int sample_rate,
                                   bool global_header, const std::string& subject);

}  // namespace vidseg::media
