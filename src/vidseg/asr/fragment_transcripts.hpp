// Transcripts of dataset fragments (`vidseg dataset build --whisper-backend ...`): the transcriber
// is created on first use (a rebuild whose transcripts are all reused starts no worker) and kept
// for the whole build, so one worker serves every fragment. Files per fragment:
//   transcripts/<name>.txt   the text, one line
//   transcripts/<name>.json  text, language, language_probability, duration, segments (with word times)
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "vidseg/asr/transcriber.hpp"

namespace vidseg::asr {

class FragmentTranscripts {
public:
    explicit FragmentTranscripts(TranscriberConfig config);
    ~FragmentTranscripts();

    bool enabled() const { return config_.backend != Backend::None; }
    // Everything a transcript's bytes depend on besides the audio (backend, model, language, url).
    std::string key() const;
    // Transcribes `wav` (a fragment of `length` seconds) and writes txt + json (each atomically).
    // With word times, only the words whose middle lies inside [0, length) are kept (Whisper may place
    // a word cut at the fragment's edge just outside it) and the text is made of them.
    Transcript transcribe_to(const std::filesystem::path& wav, double length, const std::filesystem::path& txt,
                             const std::filesystem::path& json);
    size_t transcribed() const { return transcribed_; }
    // Description of the transcriber ("" when none was started).
    std::string description() const;

private:
    TranscriberConfig config_;
    std::unique_ptr<Transcriber> transcriber_;
    size_t transcribed_ = 0;
};

// Keeps the words whose middle lies inside [0, length) and rebuilds the texts from them (segments left
// without words go); a transcript without word times is left as it is.
void keep_words_inside(Transcript& transcript, double length);

// Reads a transcripts/<name>.json back (reused fragments). Throws Error(InvalidData) when unreadable.
Transcript read_transcript_file(const std::filesystem::path& json);

}  // namespace vidseg::asr
