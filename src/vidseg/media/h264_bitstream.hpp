// Minimal H.264 bitstream plumbing for splicing re-encoded frames into a stream-copied track
// (MP4/Matroska store length-prefixed NAL units; libx264 without global headers emits Annex B).
// PRIVATE to src/vidseg/media.
#pragma once

#include <cstdint>
#include <vector>

namespace vidseg::media::h264 {

// The parameter sets of an avcC (AVCDecoderConfigurationRecord) extradata block.
struct AvcConfig {
    bool valid = false;
    int nal_length_size = 4;
    // Every SPS then every PPS, each already prefixed with its length (nal_length_size bytes), ready
    // to be put in front of a copied keyframe.
    std::vector<uint8_t> parameter_sets;
};

AvcConfig parse_avcc(const uint8_t* data, int size);

// Converts Annex B (start codes) to length-prefixed NAL units.
std::vector<uint8_t> annexb_to_length_prefixed(const uint8_t* data, int size, int nal_length_size);

}  // namespace vidseg::media::h264
