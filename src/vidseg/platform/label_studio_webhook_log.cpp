#include "vidseg/platform/label_studio_webhook_log.hpp"

namespace vidseg::platform {

void record_webhook_delivery(catalog::Catalog& catalog, const catalog::WebhookDelivery& delivery) {
    catalog::webhook_delivery_log(catalog).add_webhook_delivery(delivery);
}

nlohmann::json webhook_state(catalog::Catalog& catalog, const catalog::LabelStudioProject& project) {
    nlohmann::json deliveries = nlohmann::json::array();
    for (const auto& d : catalog::webhook_delivery_log(catalog).webhook_deliveries(project.id))
        deliveries.push_back({{"action", d.action},
                              {"received", d.received},
                              {"annotation", d.annotation_id == 0 ? nlohmann::json(nullptr) : nlohmann::json(d.annotation_id)},
                              {"task", d.task_id == 0 ? nlohmann::json(nullptr) : nlohmann::json(d.task_id)},
                              {"outcome", d.outcome},
                              {"message", d.message.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.message)}});
    nlohmann::json last = deliveries.empty() ? nlohmann::json(nullptr) : deliveries.front();
    return {{"enabled", project.webhook_id != 0}, {"last", last}, {"deliveries", deliveries}};
}

void forget_webhook_deliveries(storage::ObjectStore& store, std::int64_t project_id) {
    store.remove(".labelstudio/projects/" + std::to_string(project_id) + "/webhook.json");
}

}  // namespace vidseg::platform
