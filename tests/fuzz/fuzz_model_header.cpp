// Model file headers (`predict --model`, `patterns find --model`): models::parse_model_header, the
// JSON line TrainedModel::load checks before libtorch sees the parameters (dimensions are bounded by
// the input limits before any network is allocated).
#include "fuzz_support.hpp"
#include "vidseg/models/trained_model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace vidseg::models;
    vidseg::fuzz::refusing_only_with_errors([&] {
        const ModelInfo info = parse_model_header(vidseg::fuzz::text(data, size), "model");
        (void)to_json(info).dump();
        (void)describe(info.chroma);
        (void)reads_chroma(info.spec);
    });
    return 0;
}
