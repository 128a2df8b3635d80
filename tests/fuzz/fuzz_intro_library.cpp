// Intro libraries (`intro detect --library`): what intro::load_intro_library does with the file's
// bytes — JSON, then intro_library_from_json (format, version, variants, fingerprints, reference
// clip names) — and the library written back.
#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "vidseg/intro/intro_library.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace vidseg::intro;
    const auto doc = nlohmann::json::parse(data, data + size, nullptr, false);
    if (doc.is_discarded()) return 0;  // load_intro_library: "not valid JSON"
    vidseg::fuzz::refusing_only_with_errors([&] {
        const IntroLibrary library = intro_library_from_json(doc, "library");
        (void)intro_library_to_json(library).dump();
    });
    return 0;
}
