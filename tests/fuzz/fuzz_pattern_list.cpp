// Pattern lists as `prepare --patterns` / `dataset build --patterns` read them:
// annotations::parse_pattern_list (what read_patterns does with a .txt or .csv file's bytes; the last
// byte picks the extension) and the RFC 4180 reader under it (parse_csv, both separators). The bytes
// go straight to the parser: no file per input. .xlsx lists: fuzz_xlsx_patterns.
#include <fuzzer/FuzzedDataProvider.h>

#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "vidseg/annotations/label_studio_config.hpp"
#include "vidseg/annotations/pattern_list_bytes.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace vidseg::annotations;
    FuzzedDataProvider in(data, size);
    const auto mode = in.ConsumeIntegral<uint8_t>();
    const std::string bytes = in.ConsumeRemainingBytesAsString();
    vidseg::fuzz::refusing_only_with_errors([&] {
        const std::string extension = mode & 1 ? ".csv" : ".txt";
        const auto patterns = parse_pattern_list(bytes, extension, "patterns" + extension);
        (void)segment_label_config(patterns);  // what prepare writes for Label Studio
        for (const auto& p : patterns)
            (void)nlohmann::json{{"name", p.name}, {"description", p.description}}.dump();
    });
    vidseg::fuzz::refusing_only_with_errors([&] { (void)parse_csv(bytes, mode & 2 ? ';' : ',', "csv"); });
    return 0;
}
