// Feature files (`train --features`, `predict` on feature files): features::from_csv, from_jsonl and
// from_npy with its JSON sidecar (the bytes split in two), each result validated and written back.
#include <fuzzer/FuzzedDataProvider.h>

#include "fuzz_support.hpp"
#include "vidseg/features/feature_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace vidseg::features;
    FuzzedDataProvider in(data, size);
    const auto mode = in.ConsumeIntegral<uint8_t>() % 3;
    vidseg::fuzz::refusing_only_with_errors([&] {
        FeatureMatrix matrix;
        if (mode == 0) {
            matrix = from_csv(in.ConsumeRemainingBytesAsString());
        } else if (mode == 1) {
            matrix = from_jsonl(in.ConsumeRemainingBytesAsString());
        } else {
            const std::string sidecar = in.ConsumeRandomLengthString(1 << 16);
            matrix = from_npy(in.ConsumeRemainingBytesAsString(), sidecar);
        }
        validate(matrix);
        (void)to_csv(matrix);
        (void)to_jsonl(matrix);
        (void)to_npy(matrix);
        (void)npy_sidecar(matrix);
    });
    return 0;
}
