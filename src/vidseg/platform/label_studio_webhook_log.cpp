#include "vidseg/platform/label_studio_webhook_log.hpp"

namespace vidseg::platform {

namespace {

constexpr std::size_t kMaxRecordBytes = 64u << 10;

std::string record_key(std::int64_t project_id) {
    return ".labelstudio/projects/" + std::to_string(project_id) + "/webhook.json";
}

}  // namespace

void record_webhook_delivery(storage::ObjectStore& store, std::int64_t project_id, const WebhookDelivery& delivery) {
    const std::string text = nlohmann::json({{"action", delivery.action},
                                             {"received", delivery.received},
                                             {"annotation", delivery.annotation},
                                             {"task", delivery.task}})
                                 .dump();
    auto writer = store.create(record_key(project_id), {{"kind", "labelstudio-webhook"}});
    writer->write(text.data(), text.size());
    writer->commit();
}

nlohmann::json last_webhook_delivery(storage::ObjectStore& store, std::int64_t project_id) {
    const auto key = record_key(project_id);
    if (!store.stat(key)) return nullptr;
    std::string text;
    store.read(key, [&text](const char* data, std::size_t size) {
        if (text.size() + size <= kMaxRecordBytes) text.append(data, size);
    });
    auto doc = nlohmann::json::parse(text, nullptr, false);
    if (!doc.is_object() || !doc.contains("action") || !doc["action"].is_string() || !doc.contains("received") ||
        !doc["received"].is_number_integer())
        return nullptr;
    return doc;
}

void forget_webhook_deliveries(storage::ObjectStore& store, std::int64_t project_id) {
    store.remove(record_key(project_id));
}

}  // namespace vidseg::platform
