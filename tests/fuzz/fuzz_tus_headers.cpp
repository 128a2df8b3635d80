// The tus request headers of `vidseg serve`'s upload route (platform/tus_headers.hpp):
// Upload-Length / Upload-Offset, Upload-Metadata and Upload-Checksum. The last byte picks the header.
#include <fuzzer/FuzzedDataProvider.h>

#include "fuzz_support.hpp"
#include "vidseg/platform/tus_headers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace vidseg::platform;
    FuzzedDataProvider in(data, size);
    const auto mode = in.ConsumeIntegral<uint8_t>() % 3;
    const std::string header = in.ConsumeRemainingBytesAsString();
    vidseg::fuzz::refusing_only_with_errors([&] {
        if (mode == 0) (void)parse_tus_size(header);
        if (mode == 1) (void)parse_upload_metadata(header);
        if (mode == 2) (void)parse_upload_checksum(header);
    });
    return 0;
}
