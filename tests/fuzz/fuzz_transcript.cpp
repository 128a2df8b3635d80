// Transcripts (`patterns find --transcript`, `features --transcript`, transcripts beside a lesson):
// what models::read_lesson_transcript does by extension with the file's bytes — .json
// (features::parse_transcript), .srt and .vtt (models::parse_subtitles); the last byte picks the
// format. The bytes go straight to the parser: no file per input.
#include <fuzzer/FuzzedDataProvider.h>

#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "vidseg/features/text_timeline.hpp"
#include "vidseg/models/lesson_transcript.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace vidseg::models;
    FuzzedDataProvider in(data, size);
    const auto mode = in.ConsumeIntegral<uint8_t>() % 3;
    const std::string bytes = in.ConsumeRemainingBytesAsString();
    vidseg::fuzz::refusing_only_with_errors([&] {
        const auto segments = mode == 0 ? vidseg::features::parse_transcript(bytes, "transcript.json")
                                        : parse_subtitles(bytes, mode == 1 ? "transcript.srt" : "transcript.vtt");
        // The report writes the snippets into report.json: they must serialise.
        (void)nlohmann::json(transcript_snippet(segments, 0, 1e9)).dump();
        (void)nlohmann::json(transcript_snippet(segments, 1, 2)).dump();
    });
    return 0;
}
