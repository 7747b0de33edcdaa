#include "statesim/model/cluster_model.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace statesim {
namespace {
constexpr std::uint64_t kSlotBits = 24;
constexpr std::uint64_t kSlotMask = (1ULL << kSlotBits) - 1;
std::uint64_t pack(std::uint64_t attempt, std::uint32_t slot) {
    return (attempt << kSlotBits) | slot;
}
std::uint32_t slot_of(std::uint64_t data) {
    return static_cast<std::uint32_t>(data & kSlotMask);
}
std::uint64_t attempt_of(std::uint64_t data) {
    return data >> kSlotBits;
}
} // namespace

ClusterModel::ClusterModel(const Architecture &arch, const RunSpec &spec)
    : arch_(arch), spec_(spec), arrival_rng_(spec.seed, "arrivals"),
      session_seed_rng_(spec.seed, "sessions"), net_rng_(spec.seed, "network"),
      lb_rng_(spec.seed, "load_balancer"), fault_rng_(spec.seed, "faults"),
      store_rng_(spec.seed, "store"), boot_rng_(spec.seed, "boot"),
      strategy_(make_balancing_strategy(arch.load_balancer.policy)), store_(arch.state.store) {
    hops_zero_ = arch.hop_latency.is_zero();
    timeout_ = from_seconds(arch.workload.timeout);
    warmup_end_ = spec.warmup;
    end_ = spec.warmup + spec.duration;
    session_seed_base_ = session_seed_rng_.next();
    const auto n = static_cast<std::size_t>(arch.cluster.nodes);
    nodes_.reserve(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        Node node;
        node.zone = static_cast<int>(i % static_cast<std::size_t>(arch.cluster.zones));
        node.alive = node.registered = node.healthy = true;
        node.booted_at = -kForever / 2; // initial nodes are warm
        idle_workers(node);
        nodes_.push_back(std::move(node));
    }
    outstanding_.assign(n, 0);
    refresh_targets();
}

RunResult ClusterModel::run() {
    update_levels();
    schedule(next_arrival_after(0), session_arrival, 0, 0);
    schedule(from_seconds(arch_.load_balancer.health_interval), health_check, 0, 0);
    for (std::size_t i = 0; i < arch_.failures.events.size(); ++i)
        schedule(from_seconds(arch_.failures.events[i].at), fault, static_cast<std::uint32_t>(i),
                 0);
    schedule(warmup_end_, warmup_end, 0, 0);
    schedule(spec_.timeseries_interval, sample, 0, 0);

    std::uint64_t events = 0;
    while (!queue_.empty()) {
        const Event e = queue_.pop();
        if (e.time > end_) break;
        now_ = e.time;
        if ((++events & 0xffff) == 0 && spec_.stop && spec_.stop->load(std::memory_order_relaxed)) {
            result_.interrupted = true;
            break;
        }
        dispatch(e);
    }
    now_ = result_.interrupted ? now_ : end_;
    update_levels();

    RunResult &r = result_;
    r.events = events;
    r.duration_s = to_seconds(now_ - warmup_end_);
    // Counted, not derived, so the conservation law started = completed + lost + abandoned +
    // active is a check on the bookkeeping.
    r.sessions_active = static_cast<std::uint64_t>(
        std::count_if(sessions_.begin(), sessions_.end(),
                      [](const Session &s) { return s.uid != 0 && s.measured && !s.lost; }));
    const double window_ns = std::max(1.0, static_cast<double>(now_ - warmup_end_));
    r.nodes_mean = nodes_in_service_.area / window_ns;
    r.node_hours = nodes_billed_.area / static_cast<double>(kSecond) / 3600.0;
    r.utilization = worker_capacity_.area > 0 ? busy_workers_.area / worker_capacity_.area : 0;
    r.requests_in_system_mean = in_system_.area / window_ns;
    r.node_response_mean_ms =
        node_time_count_ ? node_time_sum_ns_ / static_cast<double>(node_time_count_) * 1e-6 : 0;
    r.store_ops = r.store_reads + r.store_writes;
    r.cost_usd = r.node_hours * arch_.costs.node_hour +
                 static_cast<double>(r.store_reads) * arch_.costs.store_read +
                 static_cast<double>(r.store_writes) * arch_.costs.store_write;
    return std::move(result_);
}

void ClusterModel::dispatch(const Event &e) {
    switch (e.kind) {
    case session_arrival:
        on_session_arrival();
        break;
    case lb_arrival:
        on_lb_arrival(e.target, e.data);
        break;
    case node_arrival:
        on_node_arrival(static_cast<int>(e.target), slot_of(e.data), attempt_of(e.data));
        break;
    case service_done:
        on_service_done(static_cast<int>(e.target), static_cast<std::uint32_t>(e.data),
                        static_cast<std::uint32_t>(e.data >> 32));
        break;
    case client_response:
        on_client_response(e.target, e.data >> 1, e.data & 1);
        break;
    case client_timeout:
        on_client_timeout(e.target, e.data);
        break;
    case health_check:
        on_health_check();
        break;
    case fault:
        on_fault(e.target);
        break;
    case node_booted:
        on_node_booted(static_cast<int>(e.target));
        break;
    case sample:
        on_sample();
        break;
    case warmup_end:
        on_warmup_end();
        break;
    }
}

// Network hops of zero length are delivered at once instead of through the queue (same time,
// same order every run): an M/M/c run then needs two events per request instead of five.
void ClusterModel::deliver(SimTime t, EventKind k, std::uint32_t target, std::uint64_t data) {
    if (t == now_)
        dispatch(Event{t, 0, k, target, data});
    else
        schedule(t, k, target, data);
}

// ---- clients and sessions ----

SimTime ClusterModel::next_arrival_after(SimTime t) {
    const ArrivalProcess &a = arch_.workload.arrival;
    switch (a.kind) {
    case ArrivalProcess::Kind::poisson:
        return t + from_seconds(arrival_rng_.exponential(1.0 / a.rate));
    case ArrivalProcess::Kind::trace: {
        if (trace_index_ >= a.trace->size()) return kForever;
        return std::max(t, from_seconds((*a.trace)[trace_index_++]));
    }
    case ArrivalProcess::Kind::profile:
    case ArrivalProcess::Kind::diurnal: {
        // Thinning (Lewis & Shedler) against the peak rate.
        const double peak =
            a.kind == ArrivalProcess::Kind::diurnal ? a.rate * (1 + a.amplitude) : a.rate;
        double s = to_seconds(t);
        for (int guard = 0; guard < 10'000'000; ++guard) {
            s += arrival_rng_.exponential(1.0 / peak);
            if (s > to_seconds(end_)) return kForever;
            double rate = 0;
            if (a.kind == ArrivalProcess::Kind::diurnal) {
                rate = a.rate * (1 + a.amplitude * std::sin(2 * std::numbers::pi * s / a.period));
            } else if (s >= a.points.back().first) {
                rate = a.points.back().second;
            } else if (s <= a.points.front().first) {
                rate = a.points.front().second;
            } else {
                auto hi = std::upper_bound(a.points.begin(), a.points.end(), s,
                                           [](double x, const auto &p) { return x < p.first; });
                auto lo = hi - 1;
                const double f = (s - lo->first) / (hi->first - lo->first);
                rate = lo->second + f * (hi->second - lo->second);
            }
            if (arrival_rng_.uniform() * peak < rate) return from_seconds(s);
        }
        return kForever;
    }
    }
    return kForever;
}

void ClusterModel::on_session_arrival() {
    const SimTime next = next_arrival_after(now_);
    if (next != kForever) schedule(next, session_arrival, 0, 0);

    std::uint32_t slot;
    if (!free_sessions_.empty()) {
        slot = free_sessions_.back();
        free_sessions_.pop_back();
    } else {
        if (sessions_.size() > kSlotMask) // event payloads hold 24-bit session slots
            throw std::runtime_error("more than 16M concurrent sessions: reduce the arrival "
                                     "rate or the session length");
        slot = static_cast<std::uint32_t>(sessions_.size());
        sessions_.emplace_back();
    }
    Session &s = sessions_[slot];
    const std::uint64_t uid = next_uid_++;
    s = Session{};
    s.uid = uid;
    // Each session draws its workload from its own stream: every architecture sees the same
    // request counts, think times, service demands and writes for session #uid.
    s.rng.reseed(mix_seed(session_seed_base_, uid));
    s.requests_left = std::max(1, static_cast<int>(arch_.workload.requests.sample(s.rng)));
    result_.draws.requests += static_cast<std::uint64_t>(s.requests_left);
    s.measured = in_window(now_);
    if (s.measured) ++result_.sessions_started;
    ++sessions_open_;
    begin_request(slot);
    send_after(slot, 0);
}

// Draws the next request's demand and resets its retry budget.
void ClusterModel::begin_request(std::uint32_t slot) {
    Session &s = sessions_[slot];
    s.service_demand = arch_.workload.service_time.sample_time(s.rng);
    result_.draws.demand_s += to_seconds(s.service_demand);
    s.is_write = s.rng.uniform() < arch_.workload.write_fraction;
    s.retries_used = 0;
    s.request_start = -1;
    ++interval_.arrivals;
}

SimTime ClusterModel::token_transfer(const Session &s) const {
    if (arch_.state.location != StateLocation::client) return 0;
    return from_seconds(s.state_bytes / arch_.state.client.bandwidth);
}

// The client sends the session's next attempt after `delay` (0, think time or backoff). The send
// and the hop to the balancer are one event: nothing is decided in between.
void ClusterModel::send_after(std::uint32_t slot, SimTime delay) {
    Session &s = sessions_[slot];
    const SimTime send = now_ + delay;
    if (s.request_start < 0) s.request_start = send;
    s.attempt_start = send;
    s.attempt = next_attempt_++;
    deliver(send + hop() + token_transfer(s), lb_arrival, slot, s.attempt);
}

void ClusterModel::on_lb_arrival(std::uint32_t slot, std::uint64_t attempt) {
    Session &s = sessions_[slot];
    if (s.attempt != attempt) return;
    if (s.lost && arch_.workload.on_state_loss == OnStateLoss::abandon) {
        end_session(slot, false); // the user learnt of the loss and left
        return;
    }
    const int node = route(s);
    s.target_node = node;
    if (node < 0) { // no target registered at all: the balancer answers 503 itself
        schedule(now_ + hop(), client_response, slot, attempt << 1);
        return;
    }
    ++outstanding_[static_cast<std::size_t>(node)];
    deliver(now_ + hop(), node_arrival, static_cast<std::uint32_t>(node), pack(attempt, slot));
}

int ClusterModel::route(Session &s) {
    if (targets_.empty()) return -1;
    if (arch_.load_balancer.sticky && s.sticky_node >= 0 && now_ < s.sticky_expiry &&
        std::binary_search(targets_.begin(), targets_.end(), s.sticky_node))
        return s.sticky_node;
    const TargetView view{targets_, outstanding_, membership_version_};
    return targets_[strategy_->pick(view, s.uid, lb_rng_)];
}

// ---- nodes ----

int ClusterModel::capacity_of(const Node &n) const {
    const int w = arch_.cluster.workers;
    if (now_ - n.booted_at >= from_seconds(arch_.cluster.warmup_period)) return w;
    return std::max(1, static_cast<int>(w * arch_.cluster.warmup_capacity));
}

void ClusterModel::on_node_arrival(int node, std::uint32_t slot, std::uint64_t attempt) {
    Node &n = nodes_[static_cast<std::size_t>(node)];
    const Waiting w{slot, attempt, now_};
    if (!n.alive) { // connection refused: the balancer returns 502
        respond(node, slot, attempt, false, now_ + hop());
        return;
    }
    if (n.busy < capacity_of(n)) {
        start_service(node, w);
        return;
    }
    if (static_cast<int>(n.queue.size()) >= arch_.cluster.queue_limit) {
        respond(node, slot, attempt, false, now_ + hop()); // 503: queue full
        return;
    }
    n.queue.push_back(w);
    in_system_.set(in_system_.value + 1, now_);
    arm_timeout(slot, attempt, sessions_[slot].attempt_start + timeout_);
}

// The client gives up on an attempt at its deadline; one that falls after the end of the run
// cannot fire, so it is not scheduled (a long timeout would otherwise fill the event set).
void ClusterModel::arm_timeout(std::uint32_t slot, std::uint64_t attempt, SimTime deadline) {
    Session &s = sessions_[slot];
    if (s.attempt != attempt || s.timeout_for == attempt || deadline > end_) return;
    s.timeout_for = attempt;
    schedule(std::max(deadline, now_), client_timeout, slot, attempt);
}

bool ClusterModel::holds_state(int node, const Session &s) const {
    return s.home_node == node && s.home_epoch == nodes_[static_cast<std::size_t>(node)].epoch;
}

// Applies the request's effect on the session state at `node`: creates it on first use, detects
// a request that landed where the state is not, grows it on writes.
void ClusterModel::settle_state(int node, Session &s) {
    const double growth = s.is_write ? arch_.workload.state_growth : 0.0;
    switch (arch_.state.location) {
    case StateLocation::none:
    case StateLocation::store:
        s.state_bytes += growth;
        break;
    case StateLocation::local:
        if (s.has_state && !holds_state(node, s)) {
            mark_lost(s, LossCause::routing);
            release_state(s);
        }
        if (!s.has_state) {
            s.has_state = true;
            s.home_node = node;
            s.home_epoch = nodes_[static_cast<std::size_t>(node)].epoch;
            s.state_bytes = 0;
            add_resident(node, static_cast<std::uint32_t>(&s - sessions_.data()), s);
        }
        s.state_bytes += growth;
        nodes_[static_cast<std::size_t>(node)].memory_bytes += growth;
        evict_beyond_limit(node);
        break;
    case StateLocation::client:
        if (s.state_bytes + growth > arch_.state.client.max_bytes) {
            mark_lost(s, LossCause::token_overflow);
            s.state_bytes = 0; // the user starts over with an empty token
        } else {
            s.state_bytes += growth;
        }
        break;
    }
}

void ClusterModel::add_resident(int node, std::uint32_t slot, Session &s) {
    Node &n = nodes_[static_cast<std::size_t>(node)];
    // Drop departed sessions from the front so the list stays about as long as the live ones.
    while (!n.residents.empty()) {
        const Resident &r = n.residents.front();
        const Session &o = sessions_[r.slot];
        if (o.uid == r.uid && holds_state(node, o)) break;
        n.residents.pop_front();
    }
    n.residents.push_back({slot, s.uid});
}

// Session memory beyond the limit: the oldest sessions' state goes first (lost).
void ClusterModel::evict_beyond_limit(int node) {
    Node &n = nodes_[static_cast<std::size_t>(node)];
    while (n.memory_bytes > arch_.cluster.session_memory_limit && !n.residents.empty()) {
        const Resident r = n.residents.front();
        n.residents.pop_front();
        Session &o = sessions_[r.slot];
        if (o.uid == r.uid && holds_state(node, o)) {
            mark_lost(o, LossCause::eviction);
            release_state(o);
        }
    }
}

void ClusterModel::release_state(Session &s) {
    if (s.home_node >= 0 && holds_state(s.home_node, s))
        nodes_[static_cast<std::size_t>(s.home_node)].memory_bytes -= s.state_bytes;
    s.has_state = false;
    s.home_node = -1;
    s.state_bytes = 0;
}

void ClusterModel::start_service(int node, const Waiting &w) {
    Node &n = nodes_[static_cast<std::size_t>(node)];
    Session &s = sessions_[w.slot];
    ++n.busy;
    busy_workers_.set(busy_workers_.value + 1, now_);
    in_system_.set(in_system_.value + 1, now_);
    const auto worker = static_cast<std::uint32_t>(n.free_slots.back());
    n.free_slots.pop_back();
    InService &job = n.slots[worker];
    job = InService{w.slot, w.attempt, w.arrived, true, true};

    // The worker is held for the whole request: state read, CPU, state write.
    SimTime t = now_;
    const bool current = s.attempt == w.attempt; // a stale attempt still costs CPU
    if (current && arch_.state.location == StateLocation::store) {
        const bool cached =
            arch_.state.local_cache && s.cache_node == node && s.cache_epoch == n.epoch;
        if (!cached) t = store_round_trip(t, false, job.ok);
    }
    if (current && job.ok) settle_state(node, s);
    t += s.service_demand;
    if (arch_.state.location == StateLocation::client)
        t += from_seconds(arch_.state.client.verify_time);
    if (current && job.ok && s.is_write && arch_.state.location == StateLocation::store)
        t = store_round_trip(t, true, job.ok);
    if (current && job.ok && arch_.state.location == StateLocation::store) {
        s.cache_node = node;
        s.cache_epoch = n.epoch;
    }
    schedule(t, service_done, static_cast<std::uint32_t>(node),
             (static_cast<std::uint64_t>(n.epoch) << 32) | worker);
    // A response that will come back after the client's deadline: the client gives up first.
    const SimTime deadline = s.attempt_start + timeout_;
    if (current && t > deadline) arm_timeout(w.slot, w.attempt, deadline);
}

// One store operation issued by a node at `t`, both hops included; returns when the reply is
// back and whether it succeeded (throttled past the retry budget: it failed).
SimTime ClusterModel::store_round_trip(SimTime t, bool write, bool &ok) {
    const auto op = store_.operate(t + hop(), write, store_rng_);
    const auto throttles = static_cast<std::uint64_t>(op.throttles);
    if (in_window(now_)) {
        ++(write ? result_.store_writes : result_.store_reads);
        result_.store_throttles += throttles;
    }
    interval_.store_throttles += throttles;
    ok = op.ok;
    return op.done + hop();
}

void ClusterModel::on_service_done(int node, std::uint32_t worker, std::uint32_t epoch) {
    Node &n = nodes_[static_cast<std::size_t>(node)];
    if (n.epoch != epoch) return; // the node crashed meanwhile: the request already failed
    InService &slot = n.slots[worker];
    slot.active = false;
    const InService job = slot;
    n.free_slots.push_back(static_cast<int>(worker));
    --n.busy;
    busy_workers_.set(busy_workers_.value - 1, now_);
    in_system_.set(in_system_.value - 1, now_);
    if (in_window(now_)) {
        node_time_sum_ns_ += static_cast<double>(now_ - job.arrived);
        ++node_time_count_;
    }
    respond(node, job.slot, job.attempt, job.ok, now_ + hop());
    while (!n.queue.empty() && n.busy < capacity_of(n)) {
        const Waiting w = n.queue.front();
        n.queue.pop_front();
        in_system_.set(in_system_.value - 1, now_);
        start_service(node, w);
    }
}

// The response leaves the node's side of the balancer at `at` and reaches the client one hop
// later (plus the token's transfer time).
void ClusterModel::respond(int node, std::uint32_t slot, std::uint64_t attempt, bool ok,
                           SimTime at) {
    if (node >= 0) --outstanding_[static_cast<std::size_t>(node)];
    const Session &s = sessions_[slot];
    if (s.attempt != attempt) return; // the client gave up on this attempt
    deliver(at + hop() + token_transfer(s), client_response, slot, (attempt << 1) | (ok ? 1 : 0));
}

void ClusterModel::on_client_response(std::uint32_t slot, std::uint64_t attempt, bool ok) {
    Session &s = sessions_[slot];
    if (s.attempt != attempt) return;
    s.attempt = 0;
    if (!ok) {
        attempt_failed(slot);
        return;
    }
    if (in_window(now_)) {
        ++result_.requests_ok;
        result_.latency.add(now_ - s.request_start);
    }
    ++interval_.completions;
    interval_latency_.add(now_ - s.request_start);
    if (arch_.load_balancer.sticky && s.target_node >= 0) {
        s.sticky_node = s.target_node; // the balancer (re)sets its affinity cookie
        s.sticky_expiry = now_ + from_seconds(arch_.load_balancer.sticky_ttl);
    }
    if (s.lost && arch_.workload.on_state_loss == OnStateLoss::abandon) {
        end_session(slot, false);
        return;
    }
    if (--s.requests_left <= 0) {
        end_session(slot, true);
        return;
    }
    begin_request(slot);
    const SimTime think = arch_.workload.think_time.sample_time(s.rng);
    result_.draws.think_s += to_seconds(think);
    send_after(slot, think);
}

void ClusterModel::on_client_timeout(std::uint32_t slot, std::uint64_t attempt) {
    Session &s = sessions_[slot];
    if (s.attempt != attempt) return;
    s.attempt = 0; // a late response is ignored
    attempt_failed(slot);
}

// An error or a timeout: retry after backoff while the budget lasts, then give up.
void ClusterModel::attempt_failed(std::uint32_t slot) {
    Session &s = sessions_[slot];
    ++interval_.failures;
    if (in_window(now_)) ++result_.attempts_failed;
    if (s.retries_used < arch_.workload.max_retries) {
        ++s.retries_used;
        if (in_window(now_)) ++result_.retries;
        send_after(slot, arch_.workload.backoff.sample_time(net_rng_));
        return;
    }
    if (in_window(now_)) ++result_.requests_failed;
    end_session(slot, false);
}

void ClusterModel::mark_lost(Session &s, LossCause cause) {
    if (s.lost) return;
    s.lost = true;
    ++lost_total_;
    if (s.measured) {
        ++result_.sessions_lost;
        ++result_.lost_by_cause[static_cast<std::size_t>(cause)];
    }
}

// Ends a session: completed, abandoned (gave up) or, when already lost, just closed.
void ClusterModel::end_session(std::uint32_t slot, bool completed) {
    Session &s = sessions_[slot];
    if (s.measured && !s.lost) {
        if (completed)
            ++result_.sessions_completed;
        else
            ++result_.sessions_abandoned;
    }
    release_state(s);
    s.uid = 0;
    s.attempt = 0;
    free_sessions_.push_back(slot);
    --sessions_open_;
}

// ---- balancer health checks, faults, replacements ----

void ClusterModel::refresh_targets() {
    targets_.clear();
    for (std::size_t i = 0; i < nodes_.size(); ++i)
        if (nodes_[i].registered && nodes_[i].healthy) targets_.push_back(static_cast<int>(i));
    if (targets_.empty()) // every target unhealthy: the balancer fails open
        for (std::size_t i = 0; i < nodes_.size(); ++i)
            if (nodes_[i].registered) targets_.push_back(static_cast<int>(i));
    ++membership_version_;
}

void ClusterModel::on_health_check() {
    const auto &lb = arch_.load_balancer;
    bool changed = false;
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        Node &n = nodes_[i];
        if (!n.registered) continue;
        if (n.alive) {
            n.checks_failed = 0;
            if (!n.healthy && ++n.checks_ok >= lb.healthy_threshold) {
                n.healthy = true;
                changed = true;
            }
        } else {
            n.checks_ok = 0;
            if (n.healthy && ++n.checks_failed >= lb.unhealthy_threshold) {
                n.healthy = false;
                changed = true;
            }
            if (!n.healthy && !n.replaced) {
                // Detected: the scaling group deregisters it and launches a replacement.
                n.replaced = true;
                n.registered = false;
                changed = true;
                if (arch_.failures.replace_failed) launch_node(n.zone);
            }
        }
    }
    if (changed) refresh_targets();
    schedule(now_ + from_seconds(lb.health_interval), health_check, 0, 0);
}

void ClusterModel::on_fault(std::uint32_t index) {
    const FaultEvent &f = arch_.failures.events[index];
    for (int k = 0; k < f.count; ++k) {
        std::vector<int> alive;
        for (std::size_t i = 0; i < nodes_.size(); ++i)
            if (nodes_[i].alive) alive.push_back(static_cast<int>(i));
        if (alive.empty()) return;
        kill_node(alive[fault_rng_.below(alive.size())]);
    }
}

// A crash: in-flight and queued requests fail, the sessions whose state lived here are lost.
void ClusterModel::kill_node(int node) {
    Node &n = nodes_[static_cast<std::size_t>(node)];
    n.alive = false;
    const SimTime reply = now_ + hop();
    for (const InService &job : n.slots)
        if (job.active) respond(node, job.slot, job.attempt, false, reply);
    for (const Waiting &w : n.queue)
        respond(node, w.slot, w.attempt, false, reply);
    in_system_.set(in_system_.value - n.busy - static_cast<double>(n.queue.size()), now_);
    busy_workers_.set(busy_workers_.value - n.busy, now_);
    n.queue.clear();
    idle_workers(n);
    for (const Resident &r : n.residents) {
        Session &s = sessions_[r.slot];
        if (s.uid == r.uid && holds_state(node, s)) {
            mark_lost(s, LossCause::node_failure);
            release_state(s);
        }
    }
    n.residents.clear();
    ++n.epoch;
    update_levels();
}

// All workers idle: a new node, or one whose in-flight work a crash just failed.
void ClusterModel::idle_workers(Node &n) const {
    const auto workers = static_cast<std::size_t>(arch_.cluster.workers);
    n.slots.assign(workers, InService{});
    n.free_slots.clear();
    for (int w = arch_.cluster.workers - 1; w >= 0; --w)
        n.free_slots.push_back(w);
    n.busy = 0;
}

void ClusterModel::launch_node(int zone) {
    Node node;
    node.zone = zone;
    node.booting = true;
    idle_workers(node);
    nodes_.push_back(std::move(node));
    outstanding_.push_back(0);
    const auto index = static_cast<std::uint32_t>(nodes_.size() - 1);
    schedule(now_ + arch_.cluster.boot_time.sample_time(boot_rng_), node_booted, index, 0);
    update_levels();
}

// A new node joins the target group and receives traffic once it passes the health checks.
void ClusterModel::on_node_booted(int node) {
    Node &n = nodes_[static_cast<std::size_t>(node)];
    n.booting = false;
    n.alive = true;
    n.registered = true;
    n.healthy = false;
    n.booted_at = now_;
    update_levels();
    refresh_targets();
}

// ---- measurement ----

void ClusterModel::update_levels() {
    int in_service = 0, billed = 0;
    for (const Node &n : nodes_) {
        in_service += n.alive;
        billed += n.alive || n.booting;
    }
    nodes_in_service_.set(in_service, now_);
    nodes_billed_.set(billed, now_);
    worker_capacity_.set(static_cast<double>(in_service) * arch_.cluster.workers, now_);
}

void ClusterModel::on_warmup_end() {
    for (Level *l :
         {&nodes_in_service_, &nodes_billed_, &busy_workers_, &worker_capacity_, &in_system_})
        l->restart(now_);
    interval_busy_area_ = interval_capacity_area_ = 0;
}

void ClusterModel::on_sample() {
    busy_workers_.set(busy_workers_.value, now_);
    worker_capacity_.set(worker_capacity_.value, now_);
    TimeseriesRow row = interval_;
    row.time_s = to_seconds(now_);
    row.latency_p50_ms = interval_latency_.quantile(0.5) * 1e-6;
    row.latency_p99_ms = interval_latency_.quantile(0.99) * 1e-6;
    for (const Node &n : nodes_) {
        row.nodes_in_service += n.alive;
        row.nodes_booting += n.booting;
    }
    const double busy = busy_workers_.area - interval_busy_area_;
    const double cap = worker_capacity_.area - interval_capacity_area_;
    // The areas restart at warmup end; an interval straddling it uses what is available.
    row.utilization = cap > 0 && busy >= 0 ? busy / cap : 0;
    interval_busy_area_ = busy_workers_.area;
    interval_capacity_area_ = worker_capacity_.area;
    row.sessions_active = sessions_open_;
    row.sessions_lost_total = lost_total_;
    result_.timeseries.push_back(row);
    interval_ = TimeseriesRow{};
    interval_latency_.clear();
    if (now_ + spec_.timeseries_interval <= end_)
        schedule(now_ + spec_.timeseries_interval, sample, 0, 0);
}

} // namespace statesim
