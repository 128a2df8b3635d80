// The S3 ObjectStore against a REAL S3 server started on loopback by the test: versitygw (Apache-2.0,
// built once per version into a cache outside the clone by tests/peers/versitygw.sh), never a mock.
// Every operation the server and the workers use, multipart uploads, list pagination, presigned URLs
// fetched by plain curl, and the failures users will meet (wrong secret, missing bucket, server gone).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "support/object_store_behaviour.hpp"
#include "support/test_support.hpp"
#include "vidseg/net/http_client.hpp"
#include "vidseg/storage/object_store.hpp"
#include "vidseg/storage/sigv4.hpp"

namespace fs = std::filesystem;
using namespace vidseg;

namespace {

constexpr const char* kAccess = "vidsegtest";
constexpr const char* kSecret = "vidseg-secret-key-for-tests";
constexpr const char* kBucket = "ppi-media";

// The versitygw binary: $VIDSEG_VERSITYGW, else the cached build of tests/peers/versitygw.sh (which
// builds it the first time, a few minutes).
std::string versitygw_binary() {
    if (const char* v = std::getenv("VIDSEG_VERSITYGW"); v && *v) return v;
    const auto r =
        test::run_shell("bash " + test::shell_quote(test::source_path("tests/peers/versitygw.sh")));
    EXPECT_EQ(r.exit_code, 0) << "tests/peers/versitygw.sh failed: " << r.err;
    std::string path = r.out;
    while (!path.empty() && path.back() == '\n') path.pop_back();
    return path;
}

// One versitygw process serving a posix folder on a free loopback port; stopped with the object.
class VersityGw {
public:
    // virtual_hosts: also answer virtual-hosted requests (http://BUCKET.localhost:PORT/key).
    explicit VersityGw(bool virtual_hosts = false)
        : port_(test::free_loopback_port()), virtual_hosts_(virtual_hosts) {
        fs::create_directories(dir_.path() / "data");
        start();
    }
    ~VersityGw() { stop(); }

    void start() {
        static const std::string binary = versitygw_binary();
        ASSERT_TRUE(fs::exists(binary)) << binary;
        const std::string listen = "127.0.0.1:" + std::to_string(port_);
        const std::string data = (dir_.path() / "data").string();
        const std::string log = (dir_.path() / "versitygw.log").string();
        std::vector<std::string> args = {binary,     "--quiet", "--access", kAccess,
                                         "--secret", kSecret,   "--port",   listen};
        if (virtual_hosts_) args.insert(args.end(), {"--virtual-domain", "localhost"});
        args.insert(args.end(), {"posix", data});
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        pid_ = ::fork();
        if (pid_ == 0) {
            const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
            ::dup2(out, 1);
            ::dup2(out, 2);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        for (int i = 0; i < 200 && !test::loopback_port_open(port_); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        ASSERT_TRUE(test::loopback_port_open(port_)) << "versitygw did not start: " << test::read_text(log);
    }

    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }

    std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
    int port() const { return port_; }

    storage::StoreConfig config(const std::string& location = std::string("s3://") + kBucket +
                                                              "/vidseg") const {
        storage::StoreConfig c;
        c.location = location;
        c.endpoint = endpoint();
        c.access_key = kAccess;
        c.secret_key = kSecret;
        c.part_size = 5u << 20;
        return c;
    }

    // A signed request straight through the HTTP module (bucket creation, upload listings).
    net::HttpResponse request(const std::string& method, const std::string& path) const {
        net::HttpRequest r;
        r.method = method;
        r.url = endpoint() + path;
        r.aws_sigv4 = "aws:amz:us-east-1:s3";
        r.credentials = std::string(kAccess) + ":" + kSecret;
        r.headers = {"x-amz-content-sha256: " + storage::sha256_hex("")};  // S3 servers require it
        return net::http_client().send(r);
    }

    void create_bucket(const std::string& name) const {
        const auto r = request("PUT", "/" + name);
        ASSERT_EQ(r.status, 200) << r.body;
    }

private:
    test::TempDir dir_;
    int port_;
    bool virtual_hosts_;
    pid_t pid_ = -1;
};

std::string sha256_of_object(storage::ObjectStore& store, const std::string& key) {
    return storage::sha256_hex(test::read_object(store, key));
}

}  // namespace

TEST(StorageS3, BehavesLikeEveryObjectStore) {
    VersityGw s3;
    s3.create_bucket(kBucket);
    auto store = storage::open_store(s3.config());
    // 3 parts of 5 MiB and a remainder: a multipart upload of 4 parts.
    test::exercise_object_store(*store, 3 * (5u << 20) + 1'234'567);
    // The objects live under the prefix in the bucket, seen from outside the store too.
    const auto listing =
        s3.request("GET", std::string("/") + kBucket + "?list-type=2&prefix=vidseg%2Ft%2Fanna%2F");
    EXPECT_NE(listing.body.find("<Key>vidseg/t/anna/small.txt</Key>"), std::string::npos) << listing.body;
}

TEST(StorageS3, MultipartUploadsRoundTripByChecksum) {
    VersityGw s3;
    s3.create_bucket(kBucket);
    auto store = storage::open_store(s3.config());
    const std::string bytes = test::pattern_bytes(3 * (5u << 20) + 777, 11);
    const auto info = test::write_object(*store, "lesson.mp4", bytes, {{"owner", "anna"}}, 65536);
    EXPECT_EQ(info.size, bytes.size());
    EXPECT_NE(info.etag.find("-4"), std::string::npos) << info.etag;  // S3's multipart ETag: "<md5>-<parts>"
    EXPECT_EQ(sha256_of_object(*store, "lesson.mp4"), storage::sha256_hex(bytes));
    const auto stat = store->stat("lesson.mp4");
    ASSERT_TRUE(stat.has_value());
    EXPECT_EQ(stat->size, bytes.size());
    EXPECT_EQ(stat->etag, info.etag);
    EXPECT_EQ(stat->metadata, (storage::Metadata{{"owner", "anna"}}));
    // Served with the content type of its extension (browsers and Label Studio play presigned videos).
    EXPECT_EQ(s3.request("HEAD", std::string("/") + kBucket + "/vidseg/lesson.mp4").header("content-type"),
              "video/mp4");
    // Exactly one part: still multipart (the buffer filled), one part.
    const std::string one = test::pattern_bytes(5u << 20, 12);
    EXPECT_EQ(test::write_object(*store, "one-part.bin", one).size, one.size());
    EXPECT_EQ(sha256_of_object(*store, "one-part.bin"), storage::sha256_hex(one));
}

TEST(StorageS3, ListsMoreKeysThanOnePage) {
    VersityGw s3;
    s3.create_bucket(kBucket);
    auto config = s3.config();
    config.list_page_size = 2;
    auto store = storage::open_store(config);
    std::vector<std::string> expected;
    for (int i = 0; i < 7; ++i) {
        expected.push_back("page/" + std::to_string(i) + (i % 2 ? "/odd" : ""));
        test::write_object(*store, expected.back(), std::to_string(i));
    }
    test::write_object(*store, "pages-not-included", "x");
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(test::listed_keys(*store, "page/"), expected);
}

TEST(StorageS3, AbortedWritersLeaveNoObjectAndNoPendingUpload) {
    VersityGw s3;
    s3.create_bucket(kBucket);
    auto store = storage::open_store(s3.config());
    const std::string part = test::pattern_bytes((5u << 20) + 10, 5);
    {
        auto writer = store->create("aborted.bin");
        writer->write(part.data(), part.size());  // one part uploaded: a multipart upload is open
        const auto pending = s3.request("GET", std::string("/") + kBucket + "?uploads=");
        EXPECT_NE(pending.body.find("<Key>vidseg/aborted.bin</Key>"), std::string::npos) << pending.body;
        writer->abort();
    }
    {
        auto writer = store->create("dropped.bin");
        writer->write(part.data(), part.size());
    }  // destroyed uncommitted
    EXPECT_FALSE(store->stat("aborted.bin").has_value());
    EXPECT_FALSE(store->stat("dropped.bin").has_value());
    const auto pending = s3.request("GET", std::string("/") + kBucket + "?uploads=");
    EXPECT_EQ(pending.status, 200);
    EXPECT_EQ(pending.body.find("<Upload>"), std::string::npos) << pending.body;
    EXPECT_TRUE(store->list("").empty());
}

TEST(StorageS3, PresignedUrlsWorkWithPlainCurlUntilTheyExpire) {
    VersityGw s3;
    s3.create_bucket(kBucket);
    auto config = s3.config();
    config.public_endpoint = "http://localhost:" + std::to_string(s3.port());  // what a browser is given
    auto store = storage::open_store(config);
    const std::string bytes = test::pattern_bytes(200'000, 9);
    test::write_object(*store, "anna/task_20261207/урок 1.wav", bytes);
    test::TempDir tmp;
    const auto fetch = [&](const std::string& url) {
        const auto r = test::run_shell("curl -s -o " + test::shell_quote(tmp / "got") +
                                       " -w '%{http_code}' " + test::shell_quote(url));
        return r.out;
    };
    const std::string url =
        *store->presigned_get_url("anna/task_20261207/урок 1.wav", std::chrono::seconds(0));
    EXPECT_EQ(url.rfind("http://localhost:" + std::to_string(s3.port()) + "/" + kBucket + "/vidseg/anna/", 0),
              0u);
    EXPECT_NE(url.find("X-Amz-Expires=604800"), std::string::npos);
    ASSERT_EQ(fetch(url), "200") << test::read_text(tmp / "got");
    EXPECT_EQ(s3.request("HEAD", std::string("/") + kBucket +
                                     "/vidseg/anna/task_20261207/%D1%83%D1%80%D0%BE%D0%BA%201.wav")
                  .header("content-type"),
              "audio/wav");
    EXPECT_TRUE(test::read_text(tmp / "got") == bytes);
    // Tampered: another key under the same signature, or a changed signature.
    std::string other = url;
    other.replace(other.find("task_"), 5, "tusk_");
    EXPECT_EQ(fetch(other), "403");
    std::string forged = url;
    forged.back() = forged.back() == '0' ? '1' : '0';
    EXPECT_EQ(fetch(forged), "403");
    // Expired.
    const std::string short_lived =
        *store->presigned_get_url("anna/task_20261207/урок 1.wav", std::chrono::seconds(1));
    EXPECT_EQ(fetch(short_lived), "200");
    std::this_thread::sleep_for(std::chrono::milliseconds(2200));
    EXPECT_EQ(fetch(short_lived), "403");
}

TEST(StorageS3, FailuresAreClearErrors) {
    VersityGw s3;
    s3.create_bucket(kBucket);
    // Wrong secret: S3's own error code in the message.
    auto config = s3.config();
    config.secret_key = "not-the-secret";
    auto wrong = storage::open_store(config);
    auto e = test::thrown_error([&] { wrong->list(""); });
    EXPECT_EQ(e.code(), ErrorCode::Unsupported);
    EXPECT_NE(std::string(e.what()).find("SignatureDoesNotMatch"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(s3.endpoint()), std::string::npos) << e.what();
    // Unknown access key.
    config = s3.config();
    config.access_key = "nobody";
    e = test::thrown_error([&] { test::write_object(*storage::open_store(config), "x", "y"); });
    EXPECT_EQ(e.code(), ErrorCode::Unsupported);
    EXPECT_NE(std::string(e.what()).find("check the S3 access key, secret key and region"), std::string::npos)
        << e.what();
    // Missing bucket.
    auto missing = storage::open_store(s3.config("s3://no-such-bucket"));
    e = test::thrown_error([&] { test::write_object(*missing, "x", "y"); });
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    EXPECT_NE(std::string(e.what()).find("S3 bucket 'no-such-bucket' does not exist on " + s3.endpoint()),
              std::string::npos)
        << e.what();
    // Missing object.
    auto store = storage::open_store(s3.config());
    e = test::thrown_error([&] { test::read_object(*store, "nothing/here"); });
    EXPECT_EQ(e.code(), ErrorCode::InputNotFound);
    EXPECT_EQ(e.subject(), "nothing/here");
    EXPECT_FALSE(store->stat("nothing/here").has_value());

    // The server stops in the middle of a multipart upload and of a read.
    const std::string bytes = test::pattern_bytes(6u << 20, 4);
    test::write_object(*store, "kept.bin", bytes);
    auto writer = store->create("interrupted.bin");
    writer->write(bytes.data(), bytes.size());  // the first part went out
    s3.stop();
    e = test::thrown_error([&] { writer->commit(); });
    EXPECT_EQ(e.code(), ErrorCode::Unsupported);
    EXPECT_NE(std::string(e.what()).find("S3 server " + s3.endpoint() + " not reachable"), std::string::npos)
        << e.what();
    writer.reset();  // its abort cannot reach the server either: no exception escapes the destructor
    e = test::thrown_error([&] { test::read_object(*store, "kept.bin"); });
    EXPECT_EQ(e.code(), ErrorCode::Unsupported);
    EXPECT_NE(std::string(e.what()).find(s3.endpoint()), std::string::npos) << e.what();
    // Back again: the committed object is intact.
    s3.start();
    EXPECT_EQ(sha256_of_object(*store, "kept.bin"), storage::sha256_hex(bytes));
}

TEST(StorageS3, VirtualHostedAddressing) {
    VersityGw s3(/*virtual_hosts=*/true);
    s3.create_bucket(kBucket);
    auto config = s3.config();
    config.endpoint = "http://localhost:" + std::to_string(s3.port());  // libcurl: *.localhost is loopback
    config.path_style = false;
    auto store = storage::open_store(config);
    const std::string bytes = test::pattern_bytes(7u << 20, 21);  // multipart too
    test::write_object(*store, "a/b c.bin", bytes, {{"owner", "anna"}});
    test::write_object(*store, "a/d", "d");
    EXPECT_EQ(test::listed_keys(*store, "a/"), (std::vector<std::string>{"a/b c.bin", "a/d"}));
    EXPECT_EQ(store->stat("a/b c.bin")->metadata, (storage::Metadata{{"owner", "anna"}}));
    EXPECT_EQ(test::read_object(*store, "a/b c.bin", 100, 50), bytes.substr(100, 50));
    const std::string url = *store->presigned_get_url("a/d", std::chrono::minutes(5));
    EXPECT_EQ(
        url.rfind(
            "http://" + std::string(kBucket) + ".localhost:" + std::to_string(s3.port()) + "/vidseg/a/d?", 0),
        0u)
        << url;
    const auto fetched = test::run_shell("curl -s " + test::shell_quote(url));
    EXPECT_EQ(fetched.out, "d");
    store->remove("a/d");
    EXPECT_EQ(test::listed_keys(*store, "a/"), (std::vector<std::string>{"a/b c.bin"}));
}

TEST(StorageS3, ServerStoppedDuringAReadIsUnsupportedNamingTheEndpoint) {
    VersityGw s3;
    s3.create_bucket(kBucket);
    auto store = storage::open_store(s3.config());
    test::write_object(*store, "long.bin", test::pattern_bytes(48u << 20, 2));
    std::uint64_t received = 0;
    const auto e = test::thrown_error([&] {
        store->read("long.bin", [&](const char*, std::size_t size) {
            if (received == 0) s3.stop();  // killed while the object streams
            received += size;
        });
    });
    EXPECT_EQ(e.code(), ErrorCode::Unsupported);
    EXPECT_NE(std::string(e.what()).find("S3 server " + s3.endpoint() + " not reachable"), std::string::npos)
        << e.what();
    EXPECT_LT(received, 48u << 20);
}
