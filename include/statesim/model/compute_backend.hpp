#pragma once
#include <cstdint>

#include "statesim/engine/event.hpp"

namespace statesim {

// What the clients' requests run on: a fleet of servers behind a load balancer (server_fleet)
// or, next, a serverless runtime. The clients hand it attempts at its front door; it answers
// each one exactly once with a client_response event.
class ComputeBackend {
  public:
    virtual ~ComputeBackend() = default;
    virtual void start() = 0;                           // the initial capacity, at time 0
    virtual void on_request(std::uint32_t attempt) = 0; // an attempt reaches the front door
    virtual void handle(const Event &e) = 0;            // the backend's own events
};

} // namespace statesim
