// faster-whisper backend: one long-lived Python worker (faster_whisper_worker.py, JSON lines over
// stdin/stdout) that loads the model once and transcribes every fragment of a build. Starting
// Python + CTranslate2 + the model costs seconds per process; a fragment takes a fraction of that
// (bench/asr/run.sh measures both).
//
// Where things are found (first that exists):
//   Python:  config.python, $VIDSEG_WHISPER_PYTHON, <bin>/pyenv-asr/bin/python,
//            <bin>/../build/pyenv-asr/bin/python (scripts/setup.sh makes build/pyenv-asr), python3
//   worker:  config.worker_script, $VIDSEG_WHISPER_WORKER, <bin>/faster_whisper_worker.py,
//            <bin>/../share/vidseg/faster_whisper_worker.py, <bin>/../src/vidseg/asr/faster_whisper_worker.py
//            (<bin> = the directory of the running executable, and its parent for test binaries)
// A worker that dies is restarted once per request; a second death is an error with its stderr.
#pragma once

#include <memory>
#include <string>
#include <sys/types.h>

#include <nlohmann/json_fwd.hpp>

#include "vidseg/asr/transcriber.hpp"

namespace vidseg::asr {

class ChildProcess;

class FasterWhisperTranscriber final : public Transcriber {
public:
    // Starts the worker and waits until the model is loaded. Throws Error(Unsupported) when Python,
    // faster-whisper or the worker script is missing, Error(InputNotFound) when the model is.
    explicit FasterWhisperTranscriber(TranscriberConfig config);
    ~FasterWhisperTranscriber() override;

    Transcript transcribe_file(const std::string& audio_path) override;
    Transcript transcribe(const std::vector<float>& samples_16k) override;
    std::string description() const override;

    pid_t worker_pid() const;             // the current worker's process id (tests: one per build)
    int restarts() const { return restarts_; }
    double load_seconds() const { return load_seconds_; }  // model load time reported by the worker

    static std::string find_python(const std::string& configured);
    static std::string find_worker_script(const std::string& configured);

private:
    void start();
    Transcript request(nlohmann::json request, const std::string& subject);

    TranscriberConfig config_;
    std::string python_, script_;
    std::unique_ptr<ChildProcess> worker_;
    int next_id_ = 1;
    int restarts_ = 0;
    double load_seconds_ = 0;
};

}  // namespace vidseg::asr
