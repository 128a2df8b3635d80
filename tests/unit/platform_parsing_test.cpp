// The server's parsing entry points without a server: job options through the CLI's option table,
// tus headers, safe file names, the environment fallback of option tables, per-job cancellation.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/error_of.hpp"
#include "vidseg/core/cancel.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/options.hpp"
#include "vidseg/core/safe_path.hpp"
#include "vidseg/pipeline/prepare_options.hpp"
#include "vidseg/platform/api_error.hpp"
#include "vidseg/platform/crypto.hpp"
#include "vidseg/platform/job_kinds.hpp"
#include "vidseg/platform/tus_headers.hpp"
#include "vidseg/platform/uploads.hpp"
#include "vidseg/platform/user_name.hpp"

using namespace vidseg;
using vidseg::test::error_of;
using nlohmann::json;


TEST(JobOptions, JsonOptionsGiveTheSameConfigAsTheCommandLine) {
    const auto spec = pipeline::prepare_command_spec();
    const auto from_json = pipeline::prepare_config(parse_option_object(
        spec, json{{"segment", 2.5}, {"mode", "copy"}, {"no-features", true}, {"silence-db", -30}},
        {"lesson.mp4"}));
    const auto from_argv = pipeline::prepare_config(parse_command_line(
        spec, {"lesson.mp4", "--segment", "2.5", "--mode", "copy", "--no-features", "--silence-db", "-30"}));
    EXPECT_EQ(from_json.video, "lesson.mp4");
    EXPECT_DOUBLE_EQ(from_json.segment_seconds, 2.5);
    EXPECT_EQ(from_json.mode, media::CutMode::Copy);
    EXPECT_FALSE(from_json.features);
    EXPECT_DOUBLE_EQ(from_json.silence_threshold_db, -30);
    EXPECT_EQ(from_json.segment_seconds, from_argv.segment_seconds);
    EXPECT_EQ(from_json.crf, from_argv.crf);  // the table's default, once
    EXPECT_EQ(from_json.preset, from_argv.preset);
    EXPECT_EQ(from_json.audio_sample_rate, 16000);
}

TEST(JobOptions, RefusalsNameTheOption) {
    const auto spec = pipeline::prepare_command_spec();
    EXPECT_EQ(error_of([&] {
                  parse_option_object(spec, json{{"segment", 0}}, {"v"});
              }),
              "option --segment: must be >= 0.1, got 0");
    EXPECT_EQ(error_of([&] {
                  parse_option_object(spec, json{{"mode", "fast"}}, {"v"});
              }),
              "option --mode: 'fast' is not one of: exact, copy");
    EXPECT_EQ(error_of([&] {
                  parse_option_object(spec, json{{"segmnet", 5}}, {"v"});
              }),
              "unknown option 'segmnet'");
    EXPECT_EQ(error_of([&] {
                  parse_option_object(spec, json{{"segment", json::array({1})}}, {"v"});
              }),
              "option segment: expects a number or a string, got array");
    EXPECT_EQ(error_of([&] {
                  parse_option_object(spec, json{{"no-features", "yes"}}, {"v"});
              }),
              "option no-features: expects true or false");
    EXPECT_EQ(error_of([&] { parse_option_object(spec, json::array(), {"v"}); }),
              "options must be a JSON object, got array");
    EXPECT_EQ(error_of([&] {
                  parse_option_object(spec, json{{"json", true}}, {"v"});
              }),
              "unknown option 'json'");
    // Paths are the server's business.
    EXPECT_EQ(error_of([&] {
                  platform::validate_job_request("prepare", {1}, json{{"out", "/etc"}}, json::object());
              }),
              "option out is chosen by the server, not by a job");
    EXPECT_EQ(error_of([&] {
                  platform::validate_job_request("prepare", {1, 2}, json::object(), json::object());
              }),
              "a prepare job takes exactly one video (video_ids)");
    EXPECT_EQ(error_of([&] { platform::validate_job_request("arrival", {1}, json::object(), json::object()); }),
              "unknown job kind 'arrival' (known: prepare, dataset build, transcribe, intro detect, predict, intro learn, "
              "keyframes learn, train)");
    // A value that looks like an option stays a value.
    EXPECT_EQ(error_of([&] { parse_option_object(spec, json{{"base-url", "--mode"}}, {"v"}); }), "no error");
}

// The analysis kinds: the CLI commands' tables, their video counts, and the inputs given as data.
TEST(JobRequest, AnalysisKindsUseTheCommandTables) {
    const json none = json::object();
    const json export_doc = json::array({json{{"id", 1}}});
    auto check = [](const std::string& kind, std::vector<std::int64_t> ids, const json& options, const json& inputs) {
        return error_of([&] { platform::validate_job_request(kind, ids, options, inputs); });
    };
    EXPECT_EQ(check("transcribe", {1}, json{{"whisper-language", "en"}}, none), "no error");
    EXPECT_EQ(check("transcribe", {1}, json{{"whisper-backend", "none"}}, none),
              "option --whisper-backend: 'none' is not one of: faster-whisper, http");
    EXPECT_EQ(check("transcribe", {1}, json{{"whisper-model", "/srv/models/x"}}, none),
              "option whisper-model: a job gives a name or list here, not a path");
    EXPECT_EQ(check("transcribe", {1}, json{{"whisper-python", "/usr/bin/python3"}}, none),
              "option whisper-python is chosen by the server, not by a job");
    EXPECT_EQ(check("transcribe", {1}, none, json{{"annotations", export_doc}}), "a transcribe job takes no inputs");
    EXPECT_EQ(check("intro detect", {1}, none, none), "a intro detect job takes 2 to 256 videos (video_ids)");
    EXPECT_EQ(check("intro detect", {1, 2, 3}, json{{"max-length", 60}, {"audio-only", true}}, none), "no error");
    EXPECT_EQ(check("intro detect", {1, 2}, json{{"min-length", 0.25}}, none),
              "option --min-length: must be >= 0.5, got 0.25");
    EXPECT_EQ(check("intro detect", {1, 2}, json{{"library", "lib.json"}}, none),
              "option library is chosen by the server, not by a job");
    // predict: a registered model's name as input; --model (a path) and the other paths are the server's.
    EXPECT_EQ(check("predict", {1}, json{{"min-length", 2}, {"threshold", 0.3}}, json{{"model", "lessons-7"}}), "no error");
    EXPECT_EQ(check("predict", {1}, json{{"model", "/srv/m.model"}}, json{{"model", "lessons-7"}}),
              "option model is chosen by the server, not by a job");
    EXPECT_EQ(check("predict", {1}, none, none),
              "a predict job needs inputs {\"model\": NAME}, NAME a model the server knows (GET /api/models)");
    EXPECT_EQ(check("predict", {1}, none, json{{"model", "../catalog.sqlite"}}),
              "../catalog.sqlite: a model name may hold only letters, digits, '.', '_' and '-'");
    EXPECT_EQ(check("predict", {1, 2}, none, json{{"model", "m"}}), "a predict job takes exactly one video (video_ids)");
    // intro learn: the intro detect table; corrections of its own videos only.
    const json fix = json{{"corrections", json::array({json{{"video_id", 2}, {"start", 1.5}, {"end", 9}}})}};
    EXPECT_EQ(check("intro learn", {1, 2}, json{{"max-length", 30}}, fix), "no error");
    EXPECT_EQ(check("intro learn", {1, 3}, none, fix),
              "an intro learn job's inputs are {\"corrections\": [{\"video_id\": ID, \"start\": s, \"end\": e}]}, "
              "one of its videos each, 0 <= start < end");
    EXPECT_EQ(check("dataset build", {1}, none, none), "a dataset build job needs inputs.annotations");
    EXPECT_EQ(check("dataset build", {1}, json{{"test-fraction", 0.2}, {"keyframe", "best"}},
                    json{{"annotations", export_doc}, {"review", json::array({json{{"item", "2"}, {"reason", "blurred"}}})}}),
              "no error");
    EXPECT_EQ(check("dataset build", {1}, json{{"video", json::array({"/etc/passwd"})}}, json{{"annotations", export_doc}}),
              "option video is chosen by the server, not by a job");
    EXPECT_EQ(check("dataset build", {1}, json{{"exclude", "../x.txt"}}, json{{"annotations", export_doc}}),
              "option exclude: a job gives a name or list here, not a path");
    EXPECT_EQ(check("dataset build", {1}, json{{"keyframe", "model:/srv/keyframes.model"}}, json{{"annotations", export_doc}}),
              "option keyframe: a job chooses a learned model by its id, model:<keyframes learn job id>, never a "
              "file of the server");
    EXPECT_EQ(check("dataset build", {1}, json{{"keyframe", "model:12"}}, json{{"annotations", export_doc}}), "no error");
    EXPECT_EQ(check("dataset build", {1}, json{{"keyframe", "model:0"}}, json{{"annotations", export_doc}}),
              "option keyframe: a job chooses a learned model by its id, model:<keyframes learn job id>, never a "
              "file of the server");
    EXPECT_EQ(check("dataset build", {1}, none, json{{"annotations", 5}}),
              "inputs.annotations must be the Label Studio export (JSON, JSON_MIN, or CSV text)");
    EXPECT_EQ(check("dataset build", {1}, none, json{{"annotations", export_doc}, {"path", "/etc"}}),
              "unknown input 'path' (known: annotations, label_config, review)");
    EXPECT_EQ(check("dataset build", {1}, none,
                    json{{"annotations", export_doc}, {"review", json::array({json{{"item", "2"}, {"decision", "drop"}}})}}),
              "inputs.review: decision must be excluded or kept, got 'drop'");
    EXPECT_EQ(check("dataset build", {1}, none,
                    json{{"annotations", export_doc}, {"review", json::array({json{{"item", "2\nx"}}})}}),
              "inputs.review: each decision is {\"item\": \"3\" or a fragment name, \"decision\": "
              "\"excluded\"|\"kept\", \"reason\": \"...\"}");
}

// keyframes learn: no video, inputs.reviews = job ids, options from `vidseg keyframes learn`'s table.
TEST(JobRequest, KeyframesLearnTakesJobIdsAndTheCommandTable) {
    auto check = [](std::vector<std::int64_t> ids, const json& options, const json& inputs) {
        return error_of([&] { platform::validate_job_request("keyframes learn", ids, options, inputs); });
    };
    const json reviews = {{"reviews", {3, 4}}, {"evaluate", {5}}};
    EXPECT_EQ(check({}, json{{"accepted-weight", 0}, {"l2", 0.1}}, reviews), "no error");
    EXPECT_EQ(check({1}, json::object(), reviews), "a keyframes learn job takes no video (video_ids)");
    EXPECT_EQ(check({}, json::object(), json::object()),
              "a keyframes learn job needs inputs {\"reviews\": [dataset build job ids], \"evaluate\": [job ids] "
              "(optional)}");
    EXPECT_EQ(check({}, json::object(), json{{"reviews", json::array()}}),
              "inputs.reviews must be a list of 1 to 64 dataset build job ids");
    EXPECT_EQ(check({}, json::object(), json{{"reviews", {"/srv/ds"}}}),
              "inputs.reviews must hold job ids (positive integers)");
    EXPECT_EQ(check({}, json::object(), json{{"reviews", {1}}, {"annotations", "x"}}),
              "unknown input 'annotations' (known: reviews, evaluate)");
    EXPECT_EQ(check({}, json{{"out", "/tmp/m.model"}}, json{{"reviews", {1}}}),
              "option out is chosen by the server, not by a job");
    EXPECT_EQ(check({}, json{{"reviews", json::array({"/srv/ds"})}}, json{{"reviews", {1}}}),
              "option reviews is chosen by the server, not by a job");
    EXPECT_EQ(check({}, json{{"accepted-weight", 2}}, json{{"reviews", {1}}}),
              "option --accepted-weight: must be <= 1, got 2");
}

TEST(OptionEnvironment, FillsWhatTheCommandLineLeftOpen) {
    CommandSpec spec{
        .name = "t",
        .options =
            {{.name = "max-upload", .type = OptionType::Int, .default_value = "5", .min = 1, .max = 100},
             {.name = "secure", .type = OptionType::Flag}},
        .env_prefix = "VIDSEG_TEST_"};
    ::setenv("VIDSEG_TEST_MAX_UPLOAD", "42", 1);
    ::setenv("VIDSEG_TEST_SECURE", "true", 1);
    auto parsed = parse_command_line(spec, {});
    EXPECT_EQ(parsed.integer("max-upload"), 42);
    EXPECT_TRUE(parsed.flag("secure"));
    EXPECT_EQ(parse_command_line(spec, {"--max-upload", "7"}).integer("max-upload"), 7);  // flag wins
    ::setenv("VIDSEG_TEST_MAX_UPLOAD", "1000", 1);
    EXPECT_EQ(error_of([&] { parse_command_line(spec, {}); }),
              "environment variable VIDSEG_TEST_MAX_UPLOAD: option --max-upload: must be <= 100, got 1000");
    ::unsetenv("VIDSEG_TEST_MAX_UPLOAD");
    ::unsetenv("VIDSEG_TEST_SECURE");
    EXPECT_EQ(parse_command_line(spec, {}).integer("max-upload"), 5);
    EXPECT_NE(format_help(spec).find("Env: VIDSEG_TEST_MAX_UPLOAD."), std::string::npos);
}

TEST(TusHeaders, Metadata) {
    const auto m =
        platform::parse_upload_metadata("filename bGVzc29uLm1wNA==,is_confidential, filetype dmlkZW8vbXA0");
    EXPECT_EQ(m.at("filename"), "lesson.mp4");
    EXPECT_EQ(m.at("is_confidential"), "");
    EXPECT_EQ(m.at("filetype"), "video/mp4");
    EXPECT_TRUE(platform::parse_upload_metadata("").empty());
    EXPECT_EQ(error_of([] { platform::parse_upload_metadata("filename !!!"); }),
              "Upload-Metadata: the value of 'filename' is not base64");
    EXPECT_EQ(error_of([] { platform::parse_upload_metadata("a YQ==,a Yg=="); }),
              "Upload-Metadata: key 'a' given twice");
    EXPECT_EQ(error_of([] { platform::parse_upload_metadata("a YQ==,,b Yg=="); }),
              "Upload-Metadata: empty pair");
}

TEST(TusHeaders, ChecksumAndSizes) {
    // sha1("abc") and sha256("abc").
    const auto sha1 = platform::parse_upload_checksum("sha1 qZk+NkcGgWq6PiVxeFDCbJzQ2J0=");
    EXPECT_EQ(sha1.algorithm, platform::DigestAlgorithm::Sha1);
    EXPECT_EQ(platform::to_hex(sha1.digest), "a9993e364706816aba3e25717850c26c9cd0d89d");
    platform::Digest d(platform::DigestAlgorithm::Sha256);
    d.update("abc", 3);
    EXPECT_EQ(platform::to_hex(d.finish()),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(platform::sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    try {
        platform::parse_upload_checksum("md5 kAFQmDzST7DWlj99KOF/cg==");
        FAIL();
    } catch (const platform::ApiError& e) {
        EXPECT_EQ(e.status(), 400);
        EXPECT_EQ(std::string(e.what()), "Upload-Checksum: unsupported algorithm (supported: sha1,sha256)");
    }
    EXPECT_EQ(error_of([] { platform::parse_upload_checksum("sha256 qZk+NkcGgWq6PiVxeFDCbJzQ2J0="); }),
              "Upload-Checksum: the digest is not base64 of the right length");
    EXPECT_EQ(platform::parse_tus_size("0"), 0u);
    EXPECT_EQ(platform::parse_tus_size("2147483648"), 2147483648u);
    EXPECT_FALSE(platform::parse_tus_size("-1"));
    EXPECT_FALSE(platform::parse_tus_size(" 5"));
    EXPECT_FALSE(platform::parse_tus_size("1e9"));
    EXPECT_FALSE(platform::parse_tus_size("99999999999999999999"));
}

TEST(SafeNames, UploadNamesNeverEscape) {
    const std::int64_t day = 1796601600;  // 2026-12-07
    EXPECT_EQ(platform::video_key("anna", "lesson 1.mp4", day), "anna/task_20261207/lesson 1.mp4");
    EXPECT_EQ(platform::video_key("anna", "..\\..\\win.mp4", day), "anna/task_20261207/win.mp4");
    EXPECT_EQ(platform::video_key("anna", "x/", day), "anna/task_20261207/upload");
    for (const std::string hostile :
         {"..", ".hidden.mp4", "a\nb\x01;rm -rf.mp4", "-rf.mp4", "\xe2\x81\x84x.mp4"}) {
        const auto key = platform::video_key("anna", hostile, day);
        const auto name = key.substr(std::string("anna/task_20261207/").size());
        EXPECT_EQ(name, vidseg::safe_file_name(hostile)) << hostile;
        EXPECT_TRUE(vidseg::is_safe_file_name(name)) << name;
        EXPECT_NE(name, hostile);
    }
    EXPECT_EQ(platform::key_stem("anna/task_20261207/lesson.mp4"), "anna/task_20261207/lesson");
    EXPECT_EQ(platform::key_stem("anna/task.x/lesson"), "anna/task.x/lesson");
    EXPECT_EQ(platform::video_key("anna", "../x/lesson.mp4", 1796601600), "anna/task_20261207/lesson.mp4");
    EXPECT_EQ(error_of([] { platform::check_user_name("../root"); }),
              "../root: a user name may hold only letters, digits, '.', '_' and '-'");
    EXPECT_EQ(error_of([] { platform::check_user_name("anna'; DROP TABLE users;--"); }),
              "anna'; DROP TABLE users;--: a user name may hold only letters, digits, '.', '_' and '-'");
    EXPECT_EQ(error_of([] { platform::check_user_name("anna.b-2"); }), "no error");
}

TEST(Passwords, Argon2idHashesVerify) {
    const auto hash = platform::hash_password("correct horse");
    EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u);
    EXPECT_TRUE(platform::verify_password(hash, "correct horse"));
    EXPECT_FALSE(platform::verify_password(hash, "correct hors"));
    EXPECT_NE(platform::random_token(), platform::random_token());
    EXPECT_EQ(platform::random_token(32).size(), 43u);
}

TEST(CancelScope, CancelsOnlyItsThread) {
    std::atomic<bool> token{false};
    std::atomic<bool> seen_elsewhere{true};
    {
        CancelScope scope(token);
        EXPECT_FALSE(cancel_requested());
        token = true;
        EXPECT_TRUE(cancel_requested());
        EXPECT_THROW(throw_if_cancelled(), Error);
        std::thread other([&] { seen_elsewhere = cancel_requested(); });
        other.join();
    }
    EXPECT_FALSE(seen_elsewhere.load());
    EXPECT_FALSE(cancel_requested());
}
