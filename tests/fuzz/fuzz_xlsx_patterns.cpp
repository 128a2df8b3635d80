// .xlsx pattern lists (zip archive + Office Open XML) as read_patterns reads them:
// annotations::parse_pattern_list on the workbook's bytes, i.e. the native workbook reader
// (read_xlsx_bytes: every sheet, the same code read_xlsx runs on a file) and the pattern table of the
// first sheet. The archive is opened from memory: no file per input. Zip bombs and huge sheets must
// end at the input limits (core/input_limits.hpp: inflated part size, sheet cells), never in an
// allocation failure.
#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "vidseg/annotations/pattern_list_bytes.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace vidseg::annotations;
    const std::string bytes = vidseg::fuzz::text(data, size);
    vidseg::fuzz::refusing_only_with_errors([&] {
        // names and descriptions go into tasks.json / metadata.jsonl
        for (const auto& p : parse_pattern_list(bytes, ".xlsx", "patterns.xlsx"))
            (void)nlohmann::json{{"name", p.name}, {"description", p.description}}.dump();
    });
    return 0;
}
