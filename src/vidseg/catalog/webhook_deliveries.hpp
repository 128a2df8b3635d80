// The history of Label Studio's webhook deliveries per project (the project page's table), kept by
// both catalogs (SQLite, PostgreSQL) in the table label_studio_webhook_deliveries. A separate interface
// beside Catalog: only the Label Studio connection uses it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vidseg/catalog/catalog.hpp"

namespace vidseg::catalog {

// One webhook delivery Label Studio made for a project, as the server answered it.
struct WebhookDelivery {
    std::int64_t id = 0;
    std::int64_t project_id = 0;
    std::int64_t received = 0;  // UNIX seconds
    std::string action;         // ANNOTATION_CREATED, ANNOTATION_UPDATED, or another action (ignored)
    std::int64_t task_id = 0, annotation_id = 0;  // Label Studio ids (0: not in the delivery)
    std::string outcome;  // "stored", "ignored", "error"
    std::string message;  // why it was ignored or refused
};

// The newest deliveries kept per project.
inline constexpr int kWebhookHistory = 50;

class WebhookDeliveryLog {
public:
    virtual ~WebhookDeliveryLog() = default;
    // Appends a delivery of a project and drops all but its newest kWebhookHistory ones.
    virtual void add_webhook_delivery(const WebhookDelivery& delivery) = 0;
    // The project's deliveries, newest first. (Removing the project removes them.)
    virtual std::vector<WebhookDelivery> webhook_deliveries(std::int64_t project_id) = 0;
};

// The catalog's delivery log: every catalog of open_catalog() keeps one; Error(Unsupported) otherwise.
WebhookDeliveryLog& webhook_delivery_log(Catalog& catalog);

}  // namespace vidseg::catalog
