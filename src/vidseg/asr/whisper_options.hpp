// The --whisper-* options as one block of option-table rows, shared by every front end that
// transcribes: `vidseg dataset build`, `patterns find`, `transcribe`, and the server's jobs of those
// kinds. The same rows validate them and whisper_config() turns them into a TranscriberConfig.
#pragma once

#include <vector>

#include "vidseg/asr/transcriber.hpp"
#include "vidseg/core/options.hpp"

namespace vidseg::asr {

// --whisper-backend, --whisper-model, --device, --whisper-url, --whisper-language, --whisper-python,
// --whisper-worker.
std::vector<OptionSpec> whisper_option_specs();

// The transcriber the rows describe (backend none when --whisper-backend is none).
TranscriberConfig whisper_config(const ParsedOptions& options);

}  // namespace vidseg::asr
