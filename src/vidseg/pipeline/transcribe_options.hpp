// The options of a transcription, for every front end: `vidseg transcribe` and a job submitted to
// `vidseg serve` ({"kind": "transcribe", "options": {"whisper-language": "en"}}) are checked by this
// one table (the --whisper-* rows of asr/whisper_options.hpp) and turned into a TranscribeConfig by
// this one function.
#pragma once

#include "vidseg/core/options.hpp"
#include "vidseg/pipeline/transcribe.hpp"

namespace vidseg::pipeline {

CommandSpec transcribe_command_spec();  // positional MEDIA, --out, the --whisper-* rows

// media = the first positional, out_dir = --out; progress left null.
TranscribeConfig transcribe_config(const ParsedOptions& options);

}  // namespace vidseg::pipeline
