#include "statesim/config/presets.hpp"

namespace statesim {

const std::vector<Preset> &presets() {
    static const std::vector<Preset> all = {
        {"single-server",
         "one server keeping sessions in its memory: the starting point that cannot scale out",
         {{"cluster.nodes", "1"},
          {"autoscaling.enabled", "false"},
          {"state.location", "local"},
          {"load_balancer.sticky.enabled", "false"}}},
        {"stateful-sticky",
         "session state in node memory, cookie affinity pins each session to its node",
         {{"state.location", "local"}, {"load_balancer.sticky.enabled", "true"}}},
        {"stateful-nonsticky",
         "session state in node memory, no affinity: a request on another node loses the session",
         {{"state.location", "local"}, {"load_balancer.sticky.enabled", "false"}}},
        {"stateless-dynamodb",
         "stateless nodes, session state in a DynamoDB-like durable store",
         {{"state.location", "store"},
          {"state.store.kind", "dynamodb"},
          {"load_balancer.sticky.enabled", "false"}}},
        {"stateless-redis",
         "stateless nodes, session state in a Redis-like in-memory store (fast, volatile)",
         {{"state.location", "store"},
          {"state.store.kind", "redis"},
          {"load_balancer.sticky.enabled", "false"}}},
        {"stateless-jwt",
         "stateless nodes, session state carried by the client in a signed token (JWT/cookie)",
         {{"state.location", "client"}, {"load_balancer.sticky.enabled", "false"}}},
        {"serverless",
         "a Lambda-like function runtime (an environment per request, cold starts), state in a "
         "DynamoDB-like store",
         {{"cluster.runtime", "serverless"},
          {"state.location", "store"},
          {"state.store.kind", "dynamodb"},
          {"load_balancer.sticky.enabled", "false"}}},
    };
    return all;
}

const Preset *find_preset(const std::string &name) {
    for (const auto &p : presets())
        if (p.name == name) return &p;
    return nullptr;
}

} // namespace statesim
