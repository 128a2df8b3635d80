// SigV4 pieces computed by libvidseg itself (storage/sigv4.hpp), against AWS's published examples.
#include <gtest/gtest.h>

#include "support/test_support.hpp"
#include "vidseg/storage/object_store.hpp"
#include "vidseg/storage/sigv4.hpp"

using namespace vidseg;

TEST(StorageSigV4, Sha256OfKnownInputs) {
    EXPECT_EQ(storage::sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(storage::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(StorageSigV4, UriEncodingFollowsS3) {
    EXPECT_EQ(storage::uri_encode("a b/c~d_e-f.g", true), "a%20b/c~d_e-f.g");
    EXPECT_EQ(storage::uri_encode("a b/c", false), "a%20b%2Fc");
    EXPECT_EQ(storage::uri_encode("Урок+1", true), "%D0%A3%D1%80%D0%BE%D0%BA%2B1");
}

// The presigned URL example of the AWS S3 documentation ("Authenticating Requests: Using Query
// Parameters", GET examplebucket/test.txt, 24 hours, 2013-05-24 00:00:00 UTC).
TEST(StorageSigV4, PresignedUrlMatchesTheAwsExample) {
    storage::PresignRequest request;
    request.base_url = "https://examplebucket.s3.amazonaws.com";
    request.canonical_uri = "/test.txt";
    request.region = "us-east-1";
    request.access_key = "AKIAIOSFODNN7EXAMPLE";
    request.secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    request.now_unix = 1369353600;
    request.expiry = std::chrono::seconds(86400);
    EXPECT_EQ(storage::presign_get(request),
              "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
              "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
              "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
              "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
    request.expiry = std::chrono::seconds(604801);
    EXPECT_EQ(test::thrown_code([&] { storage::presign_get(request); }), ErrorCode::InvalidArgument);
}

namespace {
storage::StoreConfig s3_config(const std::string& location) {
    storage::StoreConfig config;
    config.location = location;
    config.endpoint = "http://127.0.0.1:9";
    config.access_key = "A";
    config.secret_key = "S";
    return config;
}
}  // namespace

TEST(StorageS3Config, DescribesAndChecksTheConfiguration) {
    EXPECT_EQ(storage::open_store(s3_config("s3://media/ppi/"))->describe(),
              "s3 http://127.0.0.1:9 media/ppi");
    EXPECT_EQ(storage::open_store(s3_config("s3://media"))->describe(), "s3 http://127.0.0.1:9 media");
    const auto invalid = [](const storage::StoreConfig& config, const std::string& words) {
        const auto e = test::thrown_error([&] { storage::open_store(config); });
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument) << words;
        EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    };
    invalid(s3_config("s3://Bad_Bucket"), "invalid S3 bucket name");
    invalid(s3_config("s3://media/../x"), "'..'");
    auto c = s3_config("s3://media");
    c.endpoint = "127.0.0.1:9000";
    invalid(c, "must start with http:// or https://");
    c = s3_config("s3://media");
    c.public_endpoint = "https://cdn.example.org/s3";
    invalid(c, "without a path");
    c = s3_config("s3://media");
    c.part_size = 1 << 20;
    invalid(c, "part size");
    c = s3_config("s3://media");
    c.access_key.clear();
    c.secret_key.clear();
    ::unsetenv("AWS_ACCESS_KEY_ID");
    ::unsetenv("VIDSEG_S3_ACCESS_KEY");
    invalid(c, "S3 credentials missing");
}

TEST(StorageS3Config, PresignedUrlsUseThePublicEndpointAndSevenDaysByDefault) {
    auto config = s3_config("s3://media/ppi");
    config.public_endpoint = "https://files.example.org/";
    auto store = storage::open_store(config);
    const std::string url =
        *store->presigned_get_url("anna/task_20261207/урок 1.mp4", std::chrono::seconds(0));
    EXPECT_EQ(
        url.rfind("https://files.example.org/media/ppi/anna/task_20261207/%D1%83%D1%80%D0%BE%D0%BA%201.mp4?"
                  "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=A%2F",
                  0),
        0u)
        << url;
    EXPECT_NE(url.find("&X-Amz-Expires=604800&"), std::string::npos) << url;
    EXPECT_NE(store->presigned_get_url("a", std::chrono::hours(1))->find("&X-Amz-Expires=3600&"),
              std::string::npos);
    EXPECT_EQ(test::thrown_code([&] { store->presigned_get_url("a", std::chrono::hours(24 * 8)); }),
              ErrorCode::InvalidArgument);
    config.path_style = false;
    EXPECT_EQ(storage::open_store(config)
                  ->presigned_get_url("a", std::chrono::hours(1))
                  ->rfind("https://media.files.example.org/ppi/a?", 0),
              0u);
}
