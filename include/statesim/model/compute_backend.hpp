#pragma once
#include <cstdint>

#include "statesim/engine/event.hpp"
#include "statesim/model/run_result.hpp"
#include "statesim/model/session.hpp"

namespace statesim {

class Workflows;

// What the clients' requests run on: a fleet of servers behind a load balancer (server_fleet)
// or, next, a serverless runtime. The clients hand it attempts at its front door; it answers
// each one exactly once with a client_response event.
class ComputeBackend {
  public:
    virtual ~ComputeBackend() = default;
    virtual void start() = 0;                           // the initial capacity, at time 0
    virtual void on_request(std::uint32_t attempt) = 0; // an attempt reaches the front door
    virtual void handle(const Event &e) = 0;            // the backend's own events
    // A workflow step: placed by the backend, or sent to `pinned` (the node holding an
    // in_memory workflow's progress) when that is valid.
    virtual void run_step(std::uint32_t attempt, NodeRef pinned) = 0;
    // Whether that node (environment) is still alive with its memory, and what took the
    // memory of one that is not (a crash for servers, a reclaim for environments).
    virtual bool holds(NodeRef where) const = 0;
    virtual LossCause gone_cause() const = 0;
    // Workflows to tell when a node's (environment's) memory is lost.
    void set_workflows(Workflows *w) { workflows_ = w; }

  protected:
    void memory_lost(NodeRef where, LossCause cause);
    // Its answer to attempt `a` leaves its node now: a workflow step's work is done. Inline:
    // every response passes here, almost never a workflow step.
    void answered(const Attempt &a, bool ok) {
        if (workflows_ && a.workflow && ok) step_answered(a);
    }
    void step_answered(const Attempt &a);
    Workflows *workflows_ = nullptr;
};

} // namespace statesim
