#pragma once
#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "statesim/engine/random.hpp"
#include "statesim/engine/sim_time.hpp"

namespace statesim {

// A node as sessions refer to it: its slot and the incarnation living there (slots are
// recycled, so a reference to a dead node never matches its successor).
struct NodeRef {
    int index = -1;
    std::uint32_t generation = 0;
    bool operator==(const NodeRef &) const = default;
    bool valid() const { return index >= 0; }
};

inline constexpr std::uint32_t kNoSlot = UINT32_MAX;

// One user's session: its workload stream and where its server-side state lives. 128 bytes,
// cache-line aligned, what the balancer reads first in the first line (memory per concurrent
// session is a benchmark target).
struct alignas(64) Session {
    std::uint64_t uid = 0;     // 0: the slot is free
    std::uint64_t attempt = 0; // id of the attempt the client waits for (0: none)
    SimTime service_demand = 0;
    NodeRef sticky; // the balancer's affinity cookie
    SimTime sticky_expiry = 0;
    std::int32_t requests_left = 0;
    std::uint8_t retries_used = 0;
    bool is_write = false;
    bool measured = false;
    bool lost = false;
    bool has_state = false;
    bool confirmed = false;     // a response told the client its state lives at `home`
    bool timer_armed = false;   // a client_timeout is pending for `attempt`
    bool traced = false;        // --trace: its events go to trace.csv (ModelContext::trace)
    float state_bytes = 0;      // local memory, store item or client token size
    SimTime request_start = -1; // first send of the current request (retries included)
    SimTime attempt_start = 0;  // send of the attempt in flight: its timeout runs from here
    std::uint64_t timeout_event = 0;
    NodeRef home;
    // Two links whose meaning depends on where the state lives (state_backend.cpp): with local
    // state, the previous and next sessions in its home node's resident list (oldest first);
    // with a store and local_cache, the node holding a copy of its item (index, generation).
    std::uint32_t link_a = kNoSlot, link_b = kNoSlot;
    Rng rng; // workload draws: identical across architectures
};
static_assert(sizeof(Session) == 128);

// Sessions in fixed blocks: growing never moves or copies them, and memory follows the peak of
// concurrent sessions without a vector's doubling slack (and its copy at reallocation).
class SessionTable {
  public:
    static constexpr std::size_t kBlock = 4096;
    Session &operator[](std::uint32_t i) { return blocks_[i / kBlock][i % kBlock]; }
    const Session &operator[](std::uint32_t i) const { return blocks_[i / kBlock][i % kBlock]; }
    std::size_t size() const { return size_; }
    std::uint32_t add() { // a fresh slot at the end
        if (size_ == blocks_.size() * kBlock)
            blocks_.push_back(std::make_unique<Session[]>(kBlock));
        return static_cast<std::uint32_t>(size_++);
    }

  private:
    std::vector<std::unique_ptr<Session[]>> blocks_;
    std::size_t size_ = 0;
};

// One attempt of a request, from the client's send to the response: it carries its own demand,
// so work done after the client gave up is the work that attempt asked for.
struct Attempt {
    std::uint64_t id = 0;
    std::uint64_t uid = 0; // the session's, to tell a recycled slot
    std::uint32_t slot = 0;
    float state_bytes = 0; // the session's state when it reached the balancer (its item size);
                           // a client token: after service, the token the response carries
    SimTime demand = 0;
    SimTime arrived = 0;  // at its node (until then: when the balancer sent it there)
    SimTime deadline = 0; // the client's timeout for this attempt fires then
    NodeRef node;
    bool write = false;
    bool ok = true;
    bool rejected = false;   // failed for good (not retried)
    bool in_service = false; // holds a worker of `node`
    bool live = false;       // in flight (false once released to the pool)
    bool workflow = false;   // a workflow step (slot: the workflow), not a session's request
    bool traced = false;     // its session is traced: hooks check this bit before anything else
    bool store_due = false;  // holds its worker for a store step due (StateBackend::store_step)
};
static_assert(sizeof(Attempt) == 64);

// Attempts in flight, recycled through a free list.
class AttemptPool {
  public:
    std::uint32_t add(Attempt a) {
        a.live = true;
        if (free_.empty()) {
            items_.push_back(a);
            return static_cast<std::uint32_t>(items_.size() - 1);
        }
        const std::uint32_t i = free_.back();
        free_.pop_back();
        items_[i] = a;
        return i;
    }
    Attempt &operator[](std::uint32_t i) { return items_[i]; }
    void release(std::uint32_t i) {
        items_[i].live = false;
        free_.push_back(i);
    }
    // Indices of the attempts in flight that hold a worker of `node`, earliest arrival first
    // (a crash fails them; scanning the pool is O(attempts in flight), crashes are rare).
    std::vector<std::uint32_t> in_service_at(NodeRef node) const {
        std::vector<std::uint32_t> out;
        for (std::uint32_t i = 0; i < items_.size(); ++i)
            if (items_[i].live && items_[i].in_service && items_[i].node == node) out.push_back(i);
        std::sort(out.begin(), out.end(), [this](std::uint32_t x, std::uint32_t y) {
            return items_[x].arrived != items_[y].arrived ? items_[x].arrived < items_[y].arrived
                                                          : items_[x].id < items_[y].id;
        });
        return out;
    }

  private:
    std::vector<Attempt> items_;
    std::vector<std::uint32_t> free_;
};

} // namespace statesim
