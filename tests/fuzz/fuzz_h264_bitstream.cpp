// The H.264 bitstream plumbing of the smart cutter (media/h264_bitstream.hpp): the avcC extradata of
// a copied stream (parse_avcc), the nal_ref_idc test on length-prefixed access units and the Annex B
// conversion of re-encoded packets — all read bytes that come straight from an uploaded file.
#include <fuzzer/FuzzedDataProvider.h>

#include "fuzz_support.hpp"
#include "vidseg/media/h264_bitstream.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace vidseg::media::h264;
    FuzzedDataProvider in(data, size);
    const int nal_length_size = 1 + in.ConsumeIntegralInRange<int>(0, 3);
    const auto extradata =
        in.ConsumeBytes<uint8_t>(in.ConsumeIntegralInRange<size_t>(0, in.remaining_bytes()));
    const auto packet = in.ConsumeRemainingBytes<uint8_t>();
    const AvcConfig config = parse_avcc(extradata.data(), int(extradata.size()));
    (void)is_disposable_access_unit(packet.data(), int(packet.size()),
                                    config.valid ? config.nal_length_size : nal_length_size);
    (void)annexb_to_length_prefixed(packet.data(), int(packet.size()), nal_length_size);
    return 0;
}
