// Keyframe model files (`dataset build --keyframe model:FILE`): KeyframeRanker::parse, and the
// candidates file beside a dataset (`keyframes learn --reviews DIR`): parse_candidate_file. Both read
// bytes a user hands over; both must refuse bad ones only with vidseg::Error.
#include "fuzz_support.hpp"
#include "vidseg/dataset/keyframe_candidates.hpp"
#include "vidseg/dataset/keyframe_ranker.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace vidseg::dataset;
    const std::string text = vidseg::fuzz::text(data, size);
    vidseg::fuzz::refusing_only_with_errors([&] {
        const auto ranker = KeyframeRanker::parse(text, "model");
        (void)ranker.render();
        (void)ranker.digest();
    });
    vidseg::fuzz::refusing_only_with_errors([&] {
        const auto fragments = parse_candidate_file(text, "candidates");
        for (const auto& f : fragments) {
            (void)heuristic_choice(f);
            for (size_t k = 0; k < f.candidates.size(); ++k) (void)keyframe_features(f, k);
        }
        (void)render_candidate_file(fragments);
    });
    return 0;
}
