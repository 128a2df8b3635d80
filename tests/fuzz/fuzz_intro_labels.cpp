// Intro label files (`intro eval --labels/--pred`, `intro detect --predictions`, training labels):
// intro::parse_intro_labels_text, then each label written in the output forms.
#include "fuzz_support.hpp"
#include "vidseg/intro/intro_labels.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace vidseg::intro;
    vidseg::fuzz::refusing_only_with_errors([&] {
        const auto file =
            parse_intro_labels_text(std::string_view(reinterpret_cast<const char*>(data), size), "labels");
        (void)to_predictions_json(file.labels).dump();
        (void)to_timecode_json(file.labels).dump();
        for (const auto& label : file.labels) (void)match_key(label.id);
    });
    return 0;
}
