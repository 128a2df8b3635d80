// The last webhook delivery Label Studio made for a vidseg project (its "live state" on the project
// page): which action, when it arrived, for which annotation and task. Kept in the object store as
// .labelstudio/projects/<id>/webhook.json (no catalog column: a delivery is a small fact about the
// connection, overwritten by the next one), so every server process of a deployment sees it.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "vidseg/storage/object_store.hpp"

namespace vidseg::platform {

struct WebhookDelivery {
    std::string action;  // ANNOTATION_CREATED, ANNOTATION_UPDATED
    std::int64_t received = 0;  // UNIX seconds
    std::int64_t annotation = 0, task = 0;  // Label Studio ids
};

void record_webhook_delivery(storage::ObjectStore& store, std::int64_t project_id, const WebhookDelivery& delivery);
// {"action", "received", "annotation", "task"}, or null when none arrived (or the record is unreadable).
nlohmann::json last_webhook_delivery(storage::ObjectStore& store, std::int64_t project_id);
void forget_webhook_deliveries(storage::ObjectStore& store, std::int64_t project_id);

}  // namespace vidseg::platform
