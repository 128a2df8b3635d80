// The webhook deliveries Label Studio made for a vidseg project (its "live state" and history on the
// project page): which action, when it arrived, for which annotation and task, and what the server did
// with it (stored, ignored, refused with the reason). Kept in the catalog (the newest
// catalog::kWebhookHistory per project), so every server process of a deployment sees them.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "vidseg/catalog/catalog.hpp"
#include "vidseg/catalog/webhook_deliveries.hpp"
#include "vidseg/storage/object_store.hpp"

namespace vidseg::platform {

void record_webhook_delivery(catalog::Catalog& catalog, const catalog::WebhookDelivery& delivery);
// GET /api/labelstudio/projects/{id}/webhook: {"enabled", "last": the newest delivery or null,
// "deliveries": [newest first]}; a delivery is {"action", "received", "annotation", "task", "outcome",
// "message"}.
nlohmann::json webhook_state(catalog::Catalog& catalog, const catalog::LabelStudioProject& project);
// Drops the record an older server kept in the object store (the catalog's rows go with the project).
void forget_webhook_deliveries(storage::ObjectStore& store, std::int64_t project_id);

}  // namespace vidseg::platform
