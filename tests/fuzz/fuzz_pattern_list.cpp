// Pattern lists as `prepare --patterns` / `dataset build --patterns` read them:
// annotations::read_patterns on a .txt or .csv file (the last byte picks the extension) and the
// RFC 4180 reader under it (parse_csv, both separators). .xlsx lists: fuzz_xlsx_patterns.
#include <fuzzer/FuzzedDataProvider.h>

#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "vidseg/annotations/label_studio_config.hpp"
#include "vidseg/annotations/pattern_list.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace vidseg::annotations;
    FuzzedDataProvider in(data, size);
    const auto mode = in.ConsumeIntegral<uint8_t>();
    const std::string bytes = in.ConsumeRemainingBytesAsString();
    vidseg::fuzz::refusing_only_with_errors([&] {
        const auto patterns =
            read_patterns(vidseg::fuzz::input_file(mode & 1 ? ".csv" : ".txt", bytes).string());
        (void)segment_label_config(patterns);  // what prepare writes for Label Studio
        for (const auto& p : patterns)
            (void)nlohmann::json{{"name", p.name}, {"description", p.description}}.dump();
    });
    vidseg::fuzz::refusing_only_with_errors([&] { (void)parse_csv(bytes, mode & 2 ? ';' : ',', "csv"); });
    return 0;
}
