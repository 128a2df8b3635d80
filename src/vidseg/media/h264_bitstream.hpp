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

// True when the length-prefixed access unit's first slice has nal_ref_idc 0: no other frame
// references it, so a decoder may be spared it when its picture is not wanted. False when in doubt
// (no slice found, malformed lengths).
bool is_disposable_access_unit(const uint8_t* data, int size, int nal_length_size);

// Converts Annex B (start codes) to length-prefixed NAL units.
std::vector<uint8_t> annexb_to_length_prefixed(const uint8_t* data, int size, int nal_length_size);

}  // namespace vidseg::media::h264
