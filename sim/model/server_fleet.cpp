#include "statesim/model/server_fleet.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

#include <fmt/format.h>

#include "statesim/model/trace.hpp"

namespace statesim {

ServerFleet::ServerFleet(ModelContext &ctx, Clients &clients, AttemptPool &attempts)
    : ctx_(ctx), clients_(clients), attempts_(attempts), nodes_(ctx.arch.cluster.zones),
      lb_(ctx.arch.load_balancer, ctx.seed), health_(ctx),
      state_(make_state_backend(ctx, nodes_, clients)), net_rng_(ctx.seed, "fleet_network"),
      boot_rng_(ctx.seed, "boot"), failure_seed_(Rng(ctx.seed, "node_failures").next()),
      warmup_period_(from_seconds(ctx.arch.cluster.warmup_period)),
      desired_(ctx.arch.cluster.nodes),
      zone_outages_(static_cast<std::size_t>(ctx.arch.cluster.zones), 0) {
    clients_.set_state_backend(state_.get());
    if (ctx.arch.autoscaling.enabled) scaler_.emplace(ctx.arch.autoscaling);
}

// The initial nodes are running, warm and healthy at time 0, spread round-robin over zones.
void ServerFleet::start() {
    for (int i = 0; i < ctx_.arch.cluster.nodes; ++i) {
        const int slot = nodes_.launch(i % nodes_.zones());
        Node &n = nodes_[slot];
        n.state = NodeState::running;
        n.warm_from_start = true;
        lb_.set_state(nodes_.ref(slot), LoadBalancer::Target::healthy);
        health_.watch(nodes_.ref(slot), 0);
        became_up(slot);
    }
    if (scaler_) {
        if (scaler_->period() > 0)
            ctx_.sim.schedule(from_seconds(scaler_->period()), scaling_tick, 0, 0);
        const auto &schedule = ctx_.arch.autoscaling.schedule;
        if (ctx_.arch.autoscaling.policy == AutoscalingSpec::Policy::scheduled)
            for (std::size_t i = 0; i < schedule.size(); ++i)
                if (from_seconds(schedule[i].at) <= ctx_.window_end) // none after the window
                    ctx_.sim.schedule(from_seconds(schedule[i].at), scaling_action,
                                      static_cast<std::uint32_t>(i), 0);
    }
    report_fleet();
}

// One evaluation (SPEC §5 "Autoscaling"): the metric over serving nodes — running, routable and
// past instance_warmup — each node's own average since the last evaluation, averaged over the
// nodes as CloudWatch averages an Auto Scaling group's instances. Nodes that will serve but do not
// yet (booting, not yet healthy, warming) are left out of the metric and counted as unready. The
// warm-up counts from the end of the boot (AWS: from InService); the initial nodes are warm.
void ServerFleet::on_scaling_tick() {
    const auto &spec = ctx_.arch.autoscaling;
    const SimTime next = ctx_.now() + from_seconds(scaler_->period());
    if (next <= ctx_.window_end) ctx_.sim.schedule(next, scaling_tick, 0, 0);
    const SimTime warmup = from_seconds(spec.instance_warmup);
    double sum = 0;
    int ready = 0, unready = 0;
    for (std::size_t i = 0; i < nodes_.slots(); ++i) {
        Node &n = nodes_[static_cast<int>(i)];
        if (n.state == NodeState::booting) ++unready;
        if (!n.running()) continue;
        account(n);
        const double span = static_cast<double>(ctx_.now() - n.metric_from);
        // Kubernetes counts a pod as soon as it is Ready (its next metric sample); instance_warmup
        // is AWS's rule.
        const bool warming = spec.policy != AutoscalingSpec::Policy::hpa && !n.warm_from_start &&
                             ctx_.now() - n.up_since < warmup;
        const bool serving = lb_.routable(static_cast<int>(i));
        if (warming || lb_.state(static_cast<int>(i)) == LoadBalancer::Target::initial) {
            ++unready;
        } else if (serving && span > 0) {
            switch (spec.metric) {
            case AutoscalingSpec::Metric::cpu:
                sum += n.busy_area / (ctx_.arch.cluster.workers * span);
                break;
            case AutoscalingSpec::Metric::requests_per_node:
                sum += n.served / (span * 1e-9);
                break;
            case AutoscalingSpec::Metric::in_flight_per_node:
                sum += n.in_flight_area / span;
                break;
            }
            ++ready;
        }
        reset_metric(n);
    }
    const double metric = ready > 0 ? sum / ready : std::nan("");
    const int d = scaler_->evaluate({to_seconds(ctx_.now()), metric, desired_, ready, unready});
    if (d != desired_) set_desired(d, fmt::format("(metric {:.3g})", metric));
}

std::string ServerFleet::name(int node) const {
    return fmt::format("node-{}", nodes_[node].id);
}

// failures.nodes: the time to failure counts from the node's boot (or repair). Each slot and
// incarnation draws from its own stream, so architectures whose fleets evolve alike see the
// same failure times (common random numbers).
void ServerFleet::became_up(int node) {
    Node &n = nodes_[node];
    n.up_since = ctx_.now();
    reset_metric(n);
    const auto &process = ctx_.arch.failures.nodes;
    if (!process.enabled) return;
    Rng r(mix_seed(failure_seed_, (static_cast<std::uint64_t>(node) << 32) | n.generation));
    const SimTime at = ctx_.now() + process.mtbf.sample_time(r);
    if (at > ctx_.window_end) return; // no fault after the window
    n.fail_event = ctx_.sim.schedule(at, node_fail, static_cast<std::uint32_t>(node), n.generation);
    n.fail_armed = true;
}

void ServerFleet::cancel_failure(Node &n) {
    if (!n.fail_armed) return; // a renewal process never outlives its node
    ctx_.sim.cancel(n.fail_event);
    n.fail_armed = false;
}

bool ServerFleet::awaiting_repair(const Node &n) const {
    return n.state == NodeState::failed && repairs();
}

bool ServerFleet::repairs() const {
    return !ctx_.arch.failures.replace_failed && ctx_.arch.failures.nodes.enabled;
}

void ServerFleet::on_failure(int node, std::uint32_t generation) {
    Node &n = nodes_[node];
    if (n.generation != generation || !n.up()) return;
    n.fail_armed = false;
    kill(node);
}

int ServerFleet::capacity(const Node &n) const {
    return n.capacity(ctx_.now(), ctx_.arch.cluster.workers, ctx_.arch.cluster.warmup_capacity,
                      warmup_period_);
}

void ServerFleet::handle(const Event &e) {
    const auto node = static_cast<int>(e.target);
    switch (e.kind) {
    case node_arrival:
        on_node_arrival(node, static_cast<std::uint32_t>(e.data));
        break;
    case service_done:
        on_service_done(node, static_cast<std::uint32_t>(e.data),
                        static_cast<std::uint32_t>(e.data >> 32));
        break;
    case store_step:
        on_store_step(node, static_cast<std::uint32_t>(e.data),
                      static_cast<std::uint32_t>(e.data >> 32));
        break;
    case health_probe:
        on_probe(node, static_cast<std::uint32_t>(e.data));
        break;
    case node_booted:
        on_booted(node, static_cast<std::uint32_t>(e.data));
        break;
    case node_warm:
        if (nodes_.holds({node, static_cast<std::uint32_t>(e.data)})) {
            start_waiting(node); // full capacity now
            report_fleet();
        }
        break;
    case node_fail:
        on_failure(node, static_cast<std::uint32_t>(e.data));
        break;
    case node_repaired:
        on_repaired(node, static_cast<std::uint32_t>(e.data));
        break;
    case launch_retry:
        on_launch_retry(node, static_cast<std::uint32_t>(e.data));
        break;
    case connect_failed:
        if (e.data != 0 && attempts_[e.target].traced) [[unlikely]]
            ctx_.trace->unreachable(attempts_[e.target]);
        balancer_error(e.target);
        break;
    case drain_done:
        on_drain_done(node, static_cast<std::uint32_t>(e.data));
        break;
    case drain_check:
        if (nodes_.holds({node, static_cast<std::uint32_t>(e.data)}) &&
            nodes_[node].state == NodeState::draining)
            finish_drain_if_idle(node);
        break;
    case scaling_tick:
        on_scaling_tick();
        break;
    case scaling_action:
        on_scheduled_action(e.target);
        break;
    default:
        break;
    }
}

// The balancer picks a target (sticky cookie first) and forwards the attempt one hop on; with
// no routable target it answers 503 itself.
void ServerFleet::on_request(std::uint32_t attempt) {
    Attempt &a = attempts_[attempt];
    const Session *s = clients_.owner(a);
    // A workflow step is keyed by its workflow (consistent_hash spreads workflows, not one key).
    if (a.workflow) orphan_.uid = a.uid;
    const NodeRef target = lb_.route(s ? *s : orphan_, ctx_.now());
    orphan_.uid = 0;
    a.node = target;
    if (a.traced) [[unlikely]]
        ctx_.trace->routed(a);
    if (!target.valid()) {
        balancer_error(attempt); // 503
        return;
    }
    lb_.request_sent(target);
    a.arrived = ctx_.now(); // sent by the balancer; set again when it reaches the node
    const SimTime at = ctx_.now() + ctx_.hop(net_rng_);
    clients_.guard(attempt, at);
    ctx_.sim.schedule(at, node_arrival, static_cast<std::uint32_t>(target.index), attempt);
}

void ServerFleet::run_step(std::uint32_t attempt, NodeRef pinned) {
    if (!pinned.valid()) {
        on_request(attempt);
        return;
    }
    // The progress of an in_memory workflow lives in that node's process: its timer runs the
    // step there, past the balancer.
    attempts_[attempt].node = pinned;
    attempts_[attempt].arrived = ctx_.now();
    lb_.request_sent(pinned);
    ctx_.sim.schedule(ctx_.now(), node_arrival, static_cast<std::uint32_t>(pinned.index), attempt);
}

void ServerFleet::on_node_arrival(int node, std::uint32_t attempt) {
    Attempt &a = attempts_[attempt];
    Node &n = nodes_[node];
    if (n.generation != a.node.generation || !n.up()) {
        unreachable(attempt, a.arrived, true); // the balancer sent it then
        return;
    }
    a.arrived = ctx_.now();
    if (n.first_request_at < 0 && !n.warm_from_start) {
        n.first_request_at = ctx_.now(); // warmup_capacity runs from the first routed request
        ctx_.sim.schedule(ctx_.now() + warmup_period_, node_warm, static_cast<std::uint32_t>(node),
                          n.generation);
    }
    if (n.busy < capacity(n)) {
        start_service(node, attempt, 1);
        return;
    }
    if (static_cast<int>(n.queue.size()) >= ctx_.arch.cluster.queue_limit) {
        if (a.traced) [[unlikely]]
            ctx_.trace->queue_full(a);
        respond(attempt, false); // 503: queue full
        return;
    }
    account(n);
    n.queue.push_back(attempt);
    if (a.traced) [[unlikely]]
        ctx_.trace->queued(a, n.queue.size(), n.busy);
    ctx_.sink.work_changed(ctx_.now(), 1, 0);
    clients_.guard(attempt, kForever); // the wait is unknown: the client's timer runs
}

// A worker takes the attempt; the state backend says how long it holds the worker.
void ServerFleet::start_service(int node, std::uint32_t attempt, int arriving) {
    Node &n = nodes_[node];
    account(n);
    ++n.busy;
    ctx_.sink.work_changed(ctx_.now(), arriving, 1);
    // Work the balancer sent failing open, reaching a node it no longer routes to: its workers
    // count in utilization's denominator again (report_fleet) while it serves.
    if (n.busy == 1 && n.queue.empty() && n.running() && !lb_.routable(node)) [[unlikely]]
        report_fleet();
    Attempt &a = attempts_[attempt];
    a.in_service = true;
    if (a.traced) [[unlikely]]
        ctx_.trace->service_start(a, ctx_.now() - a.arrived);
    Session *s = clients_.waits_for(a) ? clients_.owner(a) : nullptr;
    // A workflow step is the node's own work: no session state to read or write.
    const SimTime done =
        a.workflow ? ctx_.now() + a.demand : state_->serve(attempt, a, s, node, ctx_.now());
    clients_.guard(attempt, done);
    ctx_.sim.schedule(done, a.store_due ? store_step : service_done,
                      static_cast<std::uint32_t>(node),
                      attempt | (static_cast<std::uint64_t>(n.generation) << 32));
}

// A store step of the request in service is due (state.location: store): a try reaches the
// store, or the session's write is issued after the service.
void ServerFleet::on_store_step(int node, std::uint32_t attempt, std::uint32_t generation) {
    if (nodes_[node].generation != generation) return; // the node crashed meanwhile: failed
    Attempt &a = attempts_[attempt];
    Session *s = clients_.waits_for(a) ? clients_.owner(a) : nullptr;
    const SimTime done = state_->store_step(attempt, a, s, node, ctx_.now());
    clients_.guard(attempt, done);
    ctx_.sim.schedule(done, a.store_due ? store_step : service_done,
                      static_cast<std::uint32_t>(node),
                      attempt | (static_cast<std::uint64_t>(generation) << 32));
}

void ServerFleet::on_service_done(int node, std::uint32_t attempt, std::uint32_t generation) {
    Node &n = nodes_[node];
    if (n.generation != generation) return; // the node crashed meanwhile: already failed
    attempts_[attempt].in_service = false;
    account(n);
    --n.busy;
    ++n.served;
    ctx_.sink.work_changed(ctx_.now(), -1, -1);
    ctx_.sink.served(ctx_.now(), ctx_.now() - attempts_[attempt].arrived);
    if (attempts_[attempt].traced) [[unlikely]]
        ctx_.trace->service_end(attempts_[attempt]);
    respond(attempt, attempts_[attempt].ok);
    start_waiting(node);
    if (n.state == NodeState::draining)
        finish_drain_if_idle(node);
    else if (n.busy == 0 && n.queue.empty() && n.running() && !lb_.routable(node))
        report_fleet(); // done with what it was sent failing open: its workers stop counting
}

// failures.mode: host — a crashed host does not answer; the balancer gives up on the connection
// after connect_timeout (ALB: 10 s) and answers 502/504. process — the host's OS refuses the
// connection at once.
// `since`: when the balancer started waiting — when it sent a new attempt (the timeout runs
// from the connection attempt, not from its arrival a hop later), or now for work the host held.
// `sent_to_dead`: a new attempt, whose failure the trace shows when it happens (refused now, or
// given up after connect_timeout); work the host held has its row from the crash (dropped).
void ServerFleet::unreachable(std::uint32_t attempt, SimTime since, bool sent_to_dead) {
    if (ctx_.arch.failures.mode == FailureMode::process) {
        if (sent_to_dead && attempts_[attempt].traced) [[unlikely]]
            ctx_.trace->unreachable(attempts_[attempt]);
        respond(attempt, false);
        return;
    }
    const SimTime at =
        std::max(ctx_.now(), since + from_seconds(ctx_.arch.load_balancer.connect_timeout));
    clients_.guard(attempt, at);
    ctx_.sim.schedule(at, connect_failed, attempt, sent_to_dead ? 1 : 0);
}

void ServerFleet::start_waiting(int node) {
    Node &n = nodes_[node];
    while (!n.queue.empty() && n.busy < capacity(n)) {
        const std::uint32_t next = n.queue.front();
        account(n);
        n.queue.pop_front();
        start_service(node, next, 0);
    }
}

// The balancer answers an error itself (503: no target; 502/504: the host did not answer within
// connect_timeout): one hop back to the client.
void ServerFleet::balancer_error(std::uint32_t attempt) {
    const Attempt &a = attempts_[attempt];
    if (a.node.valid()) lb_.request_done(a.node);
    clients_.answer(attempt, false, ctx_.hop(net_rng_));
}

// The response goes node -> balancer -> client (two hops, plus the token's transfer).
void ServerFleet::respond(std::uint32_t attempt, bool ok) {
    const Attempt &a = attempts_[attempt];
    if (a.node.valid()) lb_.request_done(a.node);
    answered(a, ok);
    const SimTime node_to_lb = ctx_.hop(net_rng_);
    clients_.answer(attempt, ok, node_to_lb + ctx_.hop(net_rng_));
}

// A crash: in-flight and queued requests fail, the sessions whose state lived here are lost.
// The node stays in the target group (and billed) until its health checks fail.
void ServerFleet::kill(int index) {
    Node &n = nodes_[index];
    if (!n.up()) return;
    const std::uint64_t lost_before = clients_.lost_total();
    const std::string who = name(index);
    if (n.state == NodeState::draining) {
        // Already deregistered and on its way out: it is simply gone now.
        mark(MarkedEvent::kill, who, "draining");
        terminate(index, LossCause::node_failure, true);
        return;
    }
    cancel_failure(n);
    n.state = NodeState::failed;
    n.detected = false;
    const std::vector<std::uint32_t> doomed = drop_work(index, LossCause::node_failure);
    ++n.generation; // its pending completions and every reference to it no longer match
    n.reset_work();
    for (std::uint32_t a : doomed)
        unreachable(a, ctx_.now(), false);
    mark(MarkedEvent::kill, who,
         fmt::format("sessions lost {}", clients_.lost_total() - lost_before));
    if (repairs()) schedule_repair(index, (static_cast<std::uint64_t>(index) << 32) | n.generation);
    report_fleet();
}

// Work on a node that goes away: its busy and queued attempts (returned, to be answered by the
// caller) and the session state it held (lost with `cause`).
std::vector<std::uint32_t> ServerFleet::drop_work(int index, LossCause cause) {
    Node &n = nodes_[index];
    ctx_.sink.work_changed(ctx_.now(), -(n.busy + static_cast<int>(n.queue.size())), -n.busy);
    std::vector<std::uint32_t> doomed = attempts_.in_service_at(nodes_.ref(index));
    doomed.insert(doomed.end(), n.queue.begin(), n.queue.end());
    for (std::uint32_t a : doomed) {
        if (attempts_[a].traced) [[unlikely]]
            ctx_.trace->dropped(attempts_[a], cause);
        attempts_[a].in_service = false;
    }
    state_->node_lost(index, cause);
    memory_lost(nodes_.ref(index), cause);
    return doomed;
}

// The repair time (failures.nodes.mttr) from a stream keyed by `key`, like the failure times.
void ServerFleet::schedule_repair(int index, std::uint64_t key) {
    Rng r(mix_seed(failure_seed_ ^ 0x5bd1e995, key));
    ctx_.sim.schedule(ctx_.now() + ctx_.arch.failures.nodes.mttr.sample_time(r), node_repaired,
                      static_cast<std::uint32_t>(index), nodes_[index].generation);
}

// replace_failed: false — the same node is back after its repair time, with empty memory; it
// serves at warmup_capacity from its first routed request. If the health checks had not marked
// it yet, it stays a healthy target; otherwise it must pass healthy_threshold checks again.
void ServerFleet::on_repaired(int node, std::uint32_t generation) {
    Node &n = nodes_[node];
    if (n.generation != generation || n.state != NodeState::failed) return;
    if (zone_outages_[static_cast<std::size_t>(n.zone)]) { // its zone is dark: wait for it
        n.waits_for_zone = true;
        return;
    }
    n.state = NodeState::running;
    n.warm_from_start = false;
    n.first_request_at = -1;
    // Undetected, it is the target it was before the crash: a node that had not passed its
    // checks yet (a batch or rebalancing node) still has to.
    const bool healthy = !n.detected && lb_.state(node) == LoadBalancer::Target::healthy;
    lb_.set_state(nodes_.ref(node),
                  healthy ? LoadBalancer::Target::healthy : LoadBalancer::Target::initial);
    // Marked unhealthy by the checks, it needs healthy_threshold passes (ALB's
    // HealthyThresholdCount); a target that had not passed its first check yet, one.
    health_.watch(nodes_.ref(node), healthy      ? 0
                                    : n.detected ? ctx_.arch.load_balancer.healthy_threshold
                                                 : 1);
    became_up(node);
    mark(MarkedEvent::repair, name(node));
    // A batch waiting for this node goes on now if the node is healthy already (repaired
    // before the checks noticed: no verdict will come to do it).
    const bool old_release = n.version < release_; // `n` may move: the batch launches nodes
    complete_batch_if_ready();
    // An old-release node repaired after the deployment ended is still to be replaced: the
    // deployment takes it up again (an instance refresh replaces the instances that do not
    // match the new configuration), rather than leave the group mixed until the next release.
    // Not after the window, where no deployment acts.
    if (batch_ == 0 && old_release && ctx_.now() <= ctx_.window_end) next_batch();
    report_fleet(); // the repaired node, and what the batch launched or began to drain
}

std::vector<int> ServerFleet::running_nodes() const {
    std::vector<int> out;
    for (std::size_t i = 0; i < nodes_.slots(); ++i)
        if (nodes_[static_cast<int>(i)].running()) out.push_back(static_cast<int>(i));
    return out;
}

void ServerFleet::on_probe(int node, std::uint32_t generation) {
    const NodeRef ref{node, generation};
    const bool answers = nodes_[node].generation == generation && nodes_[node].running();
    switch (health_.probe(ref, answers)) {
    case HealthChecker::Verdict::none:
        return;
    case HealthChecker::Verdict::became_healthy:
        lb_.set_state(ref, LoadBalancer::Target::healthy);
        if (nodes_[node].rebalance) rebalanced(node);
        complete_batch_if_ready();
        break;
    case HealthChecker::Verdict::became_unhealthy: {
        Node &n = nodes_[node];
        if (n.state == NodeState::failed) n.detected = true;
        if (awaiting_repair(n)) {
            lb_.set_state(ref, LoadBalancer::Target::unhealthy); // it will be back
            mark(MarkedEvent::unhealthy, name(node), "kept for repair");
            break;
        }
        // Detected: the group deregisters and terminates the node; with replace_failed it
        // launches a replacement (the group refills to its desired capacity).
        lb_.set_state(ref, LoadBalancer::Target::unused);
        health_.forget(ref);
        cancel_failure(n);
        const std::string who = name(node);
        mark(MarkedEvent::terminate, who, "unhealthy");
        // Not replaced, the group shrinks by the node: from the count it was launched toward
        // (a rebalancing node's or a deployment batch's is beyond the desired capacity).
        const bool rebalancing = n.rebalance;
        const bool batch_node = !rebalancing && batch_ > 0 && n.version == release_ && surge_ > 0;
        forget_rebalance(n);
        nodes_.terminate(node);
        // An Auto Scaling group never goes below its minimum: at `min` it launches one.
        const int floor = ctx_.arch.autoscaling.enabled ? ctx_.arch.autoscaling.min : 0;
        const bool shrinks = !batch_node && !rebalancing;
        if (ctx_.arch.failures.replace_failed || (shrinks && desired_ <= floor)) {
            const int before = in_group();
            reconcile();
            if (in_group() > before) mark(MarkedEvent::replace, name(node), "replaces " + who);
        } else if (batch_node) {
            --surge_;
        } else if (shrinks) {
            --desired_;
        }
        break;
    }
    }
    complete_batch_if_ready(); // the node the batch waited for may be gone
    report_fleet();
}

// policy: scheduled — entry i is due. A later entry already applied supersedes it; one within
// its direction's cooldown waits for it (SPEC §4: the cooldown is for step and scheduled).
void ServerFleet::on_scheduled_action(std::uint32_t i) {
    if (schedule_applied_ >= 0 && static_cast<std::int64_t>(i) < schedule_applied_) return;
    // A waiting entry that comes back once a later one is due is outdated: the later one
    // applies (or waits) instead, so the group goes straight to the latest due count.
    const auto &schedule = ctx_.arch.autoscaling.schedule;
    if (i + 1 < schedule.size() && from_seconds(schedule[i + 1].at) <= ctx_.now()) return;
    const double wait = scaler_->scheduled_wait(i, to_seconds(ctx_.now()), desired_);
    if (wait > 0) {
        // After the window the autoscaler makes no decision: an action due then is dropped.
        if (from_seconds(wait) <= ctx_.window_end)
            ctx_.sim.schedule(from_seconds(wait), scaling_action, i, 0);
        return;
    }
    schedule_applied_ = i;
    set_desired(scaler_->scheduled(i), "(scheduled)");
}

// Nodes the group counts toward its desired capacity: booting, running and failed ones it has
// not yet noticed (draining ones are on their way out).
int ServerFleet::in_group() const {
    int count = 0;
    for (std::size_t i = 0; i < nodes_.slots(); ++i) {
        const NodeState st = nodes_[static_cast<int>(i)].state;
        count += st == NodeState::booting || st == NodeState::running || st == NodeState::failed;
    }
    return count;
}

void ServerFleet::set_desired(int desired, const std::string &why) {
    if (desired == desired_) return;
    mark(desired > desired_ ? MarkedEvent::scale_out : MarkedEvent::scale_in, "group",
         fmt::format("desired {}->{}{}", desired_, desired, why.empty() ? "" : " " + why));
    desired_ = desired;
    reconcile();
    report_fleet();
}

// Launches or retires toward desired_ plus a running deployment's surge. A node of the batch can
// go meanwhile (a zone outage, a scale-in with no old node left): the batch then completes with
// the new nodes it has, so a deployment never waits for a node that will not come.
void ServerFleet::reconcile() {
    // The target is read again each time: retiring a rebalancing node lowers it.
    for (int have = in_group(); have < group_target(); ++have)
        launch(launch_zone());
    while (in_group() > group_target()) {
        const int v = victim();
        if (v < 0) break;
        const bool drain = ctx_.arch.autoscaling.scale_in == AutoscalingSpec::ScaleIn::drain;
        retire(v, LossCause::scale_in, drain); // each call takes one node out of the group
    }
    complete_batch_if_ready();
}

// The zone with the fewest nodes in the group (new nodes balance the zones, as an Auto Scaling
// group does); ties go to the lowest zone. During a rolling deployment every old-release node is
// going, so the group ends with the new ones alone: first the zone with the fewest new nodes,
// then the fewest nodes, then the most old ones (the batch retires an old node from the fullest
// zone: complete_batch_if_ready). Fewest nodes alone left 3:1 in two zones.
int ServerFleet::launch_zone() const {
    const std::size_t zones = static_cast<std::size_t>(nodes_.zones());
    std::vector<int> count(zones, 0), fresh(zones, 0), old(zones, 0);
    for (std::size_t i = 0; i < nodes_.slots(); ++i) {
        const Node &n = nodes_[static_cast<int>(i)];
        if (n.state == NodeState::free || n.state == NodeState::draining) continue;
        const auto z = static_cast<std::size_t>(n.zone);
        ++count[z];
        ++(n.version < release_ ? old[z] : fresh[z]);
    }
    const bool deploying = batch_ > 0;
    const auto fewer = [&](std::size_t a, std::size_t b) {
        if (deploying && fresh[a] != fresh[b]) return fresh[a] < fresh[b];
        if (count[a] != count[b]) return count[a] < count[b];
        return deploying && old[a] > old[b];
    };
    // Every zone down: the launch still goes to the zone with the fewest nodes, and waits there
    // (it boots when the zone is back).
    const bool all_down = std::all_of(zone_outages_.begin(), zone_outages_.end(),
                                      [](int outages) { return outages > 0; });
    int best = -1;
    for (int z = 0; z < nodes_.zones(); ++z)
        if ((all_down || !zone_outages_[static_cast<std::size_t>(z)]) &&
            (best < 0 || fewer(static_cast<std::size_t>(z), static_cast<std::size_t>(best))))
            best = z;
    return best;
}

// Outages of one zone may overlap (a scheduled one and the random process, or two events): the
// zone is dark from the first one's start to the last one's end.
void ServerFleet::zone_down(int zone) {
    if (zone_outages_[static_cast<std::size_t>(zone)]++ > 0) return;
    mark(MarkedEvent::zone_down, fmt::format("zone {}", zone));
    std::vector<std::string> stopped; // booting nodes the outage ends
    for (std::size_t i = 0; i < nodes_.slots(); ++i) {
        const Node &n = nodes_[static_cast<int>(i)];
        if (n.zone != zone) continue;
        if (n.up()) {
            kill(static_cast<int>(i));
        } else if (n.state == NodeState::booting) {
            stopped.push_back(name(static_cast<int>(i)));
            terminate(static_cast<int>(i), LossCause::node_failure);
        }
    }
    // The booting ones it lost are launched again elsewhere; events.csv names each relaunch,
    // as it names a replacement after a detection.
    std::vector<int> launched;
    launch_log_ = &launched;
    reconcile();
    launch_log_ = nullptr;
    for (std::size_t k = 0; k < stopped.size() && k < launched.size(); ++k)
        mark(MarkedEvent::replace, name(launched[k]),
             fmt::format("replaces {} (zone {} went dark while it booted)", stopped[k], zone));
    report_fleet(); // the relaunches are billed and boot from now
}

// An Auto Scaling group rebalances zones by launching in the emptiest zone before terminating
// in the fullest, "so that rebalancing does not compromise the performance or availability of
// your application" (https://docs.aws.amazon.com/autoscaling/ec2/userguide/
// ec2-auto-scaling-benefits.html#AutoScalingBehavior.InstanceUsage): the new nodes come on top of
// the desired capacity, and each retires (drains, a scale-in) the oldest node of the fullest
// zone once it passes its health checks, until zones differ by at most one.
void ServerFleet::zone_up(int zone) {
    int &outages = zone_outages_[static_cast<std::size_t>(zone)];
    if (outages == 0 || --outages > 0) return; // another outage of the zone is still on
    mark(MarkedEvent::zone_up, fmt::format("zone {}", zone));
    // A boot or a repair that came due while the zone was dark starts again now: a whole boot
    // time, a new repair time. (Trying again every boot time instead never ended with a boot
    // time of 0 s.) A launch waiting in another zone (made while every zone was dark) is made
    // again in a zone that works, as a group retries a failed launch: once every zone back at
    // this instant is (a same-time event runs after them), so it keeps its own if that is.
    for (std::size_t i = 0; i < nodes_.slots(); ++i) {
        Node &n = nodes_[static_cast<int>(i)];
        if (!n.waits_for_zone) continue;
        if (n.zone != zone) {
            if (n.state == NodeState::booting)
                ctx_.sim.schedule(ctx_.now(), launch_retry, static_cast<std::uint32_t>(i),
                                  n.generation);
            continue; // a repair stays with its node
        }
        n.waits_for_zone = false;
        if (n.state == NodeState::booting)
            schedule_boot(static_cast<int>(i));
        else if (n.state == NodeState::failed)
            schedule_repair(static_cast<int>(i), static_cast<std::uint64_t>(ctx_.now()) * 4099 + i);
    }
    std::vector<int> count = nodes_per_zone();
    for (;;) {
        int lo = -1, hi = -1;
        for (int z = 0; z < nodes_.zones(); ++z) {
            if (zone_outages_[static_cast<std::size_t>(z)]) continue;
            if (lo < 0 || count[static_cast<std::size_t>(z)] < count[static_cast<std::size_t>(lo)])
                lo = z;
            if (hi < 0 || count[static_cast<std::size_t>(z)] > count[static_cast<std::size_t>(hi)])
                hi = z;
        }
        if (lo < 0 ||
            count[static_cast<std::size_t>(hi)] - count[static_cast<std::size_t>(lo)] <= 1)
            break;
        nodes_[launch(lo)].rebalance = true;
        ++rebalance_surge_;
        ++count[static_cast<std::size_t>(lo)];
        --count[static_cast<std::size_t>(hi)]; // the node it will retire
    }
    report_fleet();
}

void ServerFleet::rebalanced(int node) {
    forget_rebalance(nodes_[node]);
    if (in_group() <= group_target()) return; // the group shrank meanwhile
    std::vector<int> count = nodes_per_zone();
    // The oldest serving node of the fullest zone; not a node still on its way (another
    // rebalancing node, one not yet healthy), and an old-release one first during a deployment.
    auto rank = [&](const Node &n) {
        return std::make_tuple(batch_ > 0 && n.version < release_,
                               count[static_cast<std::size_t>(n.zone)], -static_cast<double>(n.id));
    };
    int oldest = -1;
    for (std::size_t i = 0; i < nodes_.slots(); ++i) {
        const Node &n = nodes_[static_cast<int>(i)];
        if (!n.running() || n.rebalance || static_cast<int>(i) == node ||
            lb_.state(static_cast<int>(i)) != LoadBalancer::Target::healthy)
            continue;
        if (oldest < 0 || rank(n) > rank(nodes_[oldest])) oldest = static_cast<int>(i);
    }
    // Never the node that just came up to rebalance: with no other healthy node (the rest failed
    // or not through their checks) it stays, and the group's next reconciliation (a
    // replacement, a scaling decision) trims any node too many by its termination policy.
    if (oldest >= 0) retire(oldest, LossCause::scale_in, true);
}

void ServerFleet::forget_rebalance(Node &n) {
    if (!n.rebalance) return;
    n.rebalance = false;
    --rebalance_surge_;
}

// The group's nodes per zone: booting and running ones, and failed ones (repaired in place, or
// not yet detected: until its checks fail the group still counts a dead node, and then
// replaces it in its zone). Counting them out made a zone that returns before its dead nodes
// were detected look empty: the group launched there and drained a healthy node elsewhere,
// then the replacements came too (3:1 in two zones).
std::vector<int> ServerFleet::nodes_per_zone() const {
    std::vector<int> count(static_cast<std::size_t>(nodes_.zones()), 0);
    for (std::size_t i = 0; i < nodes_.slots(); ++i) {
        const Node &n = nodes_[static_cast<int>(i)];
        if (n.state == NodeState::booting || n.state == NodeState::running ||
            n.state == NodeState::failed)
            ++count[static_cast<std::size_t>(n.zone)];
    }
    return count;
}

// autoscaling.termination: default balances zones (from the zone with the most nodes), then the
// oldest node; oldest / newest by launch; fewest_sessions by local session state held. Booting
// nodes go first under every policy (they serve nothing yet), after the old release during a
// rolling deployment.
int ServerFleet::victim() const {
    using T = AutoscalingSpec::Termination;
    const T policy = ctx_.arch.autoscaling.termination;
    const std::vector<int> per_zone = nodes_per_zone();
    int best = -1;
    auto better = [&](const Node &a, const Node &b) {
        // During a rolling deployment the old release goes first, whatever the policy: AWS's
        // default termination policy picks instances of the oldest launch template, and a
        // scale-in that took the batch's new node would leave the deployment waiting for it.
        if (batch_ > 0 && (a.version < release_) != (b.version < release_))
            return a.version < release_;
        if ((a.state == NodeState::booting) != (b.state == NodeState::booting))
            return a.state == NodeState::booting;
        switch (policy) {
        case T::balanced:
            if (per_zone[static_cast<std::size_t>(a.zone)] !=
                per_zone[static_cast<std::size_t>(b.zone)])
                return per_zone[static_cast<std::size_t>(a.zone)] >
                       per_zone[static_cast<std::size_t>(b.zone)];
            return a.id < b.id;
        case T::oldest:
            return a.id < b.id;
        case T::newest:
            return a.id > b.id;
        case T::fewest_sessions:
            if (a.sessions_held != b.sessions_held) return a.sessions_held < b.sessions_held;
            return a.id < b.id;
        }
        return a.id < b.id;
    };
    for (std::size_t i = 0; i < nodes_.slots(); ++i) {
        const Node &n = nodes_[static_cast<int>(i)];
        if (n.state != NodeState::booting && n.state != NodeState::running) continue;
        if (best < 0 || better(n, nodes_[best])) best = static_cast<int>(i);
    }
    return best;
}

// Scale-in and deployments (SPEC §5): the victim is deregistered at once. drain: requests (ALB)
// — no new request reaches it, sticky or not; in-flight ones finish within
// deregistration_delay, which ends early when none are left. drain: sessions — its sticky
// sessions keep reaching it until the delay ends. Then it terminates: state on it is lost.
void ServerFleet::retire(int index, LossCause cause, bool drain) {
    Node &n = nodes_[index];
    forget_rebalance(n); // it will not serve: the move it was launched for is given up
    if (n.state == NodeState::booting || !drain || n.state == NodeState::failed) {
        terminate(index, cause);
        return;
    }
    if (n.state != NodeState::running) return;
    n.state = NodeState::draining;
    n.retire_cause = cause;
    lb_.set_state(nodes_.ref(index), LoadBalancer::Target::draining);
    health_.forget(nodes_.ref(index));
    mark(MarkedEvent::drain_start, name(index));
    ctx_.sim.schedule(ctx_.now() + from_seconds(ctx_.arch.load_balancer.deregistration_delay),
                      drain_done, static_cast<std::uint32_t>(index), n.generation);
    finish_drain_if_idle(index);
}

void ServerFleet::finish_drain_if_idle(int node) {
    const Node &n = nodes_[node];
    if (n.busy > 0 || !n.queue.empty() || lb_.outstanding(node) > 0) return;
    if (ctx_.arch.load_balancer.drain == LoadBalancerSpec::DrainMode::sessions &&
        n.sessions_held > 0)
        return; // its sticky sessions may still come back
    terminate(node, n.retire_cause);
}

void ServerFleet::on_drain_done(int node, std::uint32_t generation) {
    const Node &n = nodes_[node];
    if (n.generation != generation || n.state != NodeState::draining) return;
    terminate(node, n.retire_cause);
}

// The node leaves: work still on it fails, state still on it is lost with `cause`.
// `crashed`: the host died with its work (host mode: what it held fails after connect_timeout,
// as for a running node's crash); otherwise it is shut down and what it held fails at once.
void ServerFleet::terminate(int index, LossCause cause, bool crashed) {
    Node &n = nodes_[index];
    const std::uint64_t lost_before = clients_.lost_total();
    const std::string who = name(index);
    const std::vector<std::uint32_t> doomed =
        n.up() ? drop_work(index, cause) : std::vector<std::uint32_t>{};
    cancel_failure(n);
    forget_rebalance(n);
    lb_.set_state(nodes_.ref(index), LoadBalancer::Target::unused);
    health_.forget(nodes_.ref(index));
    n.reset_work();
    nodes_.terminate(index);
    for (std::uint32_t a : doomed)
        crashed ? unreachable(a, ctx_.now(), false) : respond(a, false);
    mark(MarkedEvent::terminate, who,
         fmt::format("sessions lost {}", clients_.lost_total() - lost_before));
    report_fleet();
}

// failures.deployments / deploy: rolling. The group grows by a batch of new-release nodes
// (surge), and once they pass their health checks the same number of old nodes drain and
// terminate (oldest first), then the next batch.
void ServerFleet::deploy() {
    if (batch_ > 0) {
        mark(MarkedEvent::deploy_batch, "group", "skipped: a deployment is running");
        return;
    }
    ++release_;
    next_batch();
}

void ServerFleet::next_batch() {
    int old = 0;
    for (std::size_t i = 0; i < nodes_.slots(); ++i) {
        const Node &n = nodes_[static_cast<int>(i)];
        old += (n.state == NodeState::running || n.state == NodeState::booting) &&
               n.version < release_;
    }
    if (old == 0) {
        batch_ = 0;
        return;
    }
    const double share = ctx_.arch.failures.deployments.batch;
    batch_ = std::min(old, std::max(1, static_cast<int>(std::ceil(share * desired_ - 1e-9))));
    mark(MarkedEvent::deploy_batch, "group",
         fmt::format("release {}: {} new nodes, {} old left", release_, batch_, old));
    surge_ = batch_; // new nodes first, on top of the desired capacity
    reconcile();
    report_fleet();
}

// New-release nodes the running batch still waits for: booting or not yet healthy (one that
// crashed before its checks passed counts until the group replaces it with another).
int ServerFleet::batch_pending() const {
    int pending = 0;
    for (std::size_t i = 0; i < nodes_.slots(); ++i) {
        const Node &n = nodes_[static_cast<int>(i)];
        const bool unchecked = (n.running() || n.state == NodeState::failed) &&
                               lb_.state(static_cast<int>(i)) == LoadBalancer::Target::initial;
        // A new node down for repair will be back (and checked): the batch waits for it rather
        // than retire an old node for a new one that does not serve.
        pending += n.version == release_ &&
                   (n.state == NodeState::booting || unchecked || awaiting_repair(n));
    }
    return pending;
}

void ServerFleet::complete_batch_if_ready() {
    if (batch_ == 0 || completing_ || batch_pending() > 0) return;
    completing_ = true;
    // The batch serves: retire as many old nodes, each from the zone that has the most nodes
    // now, oldest first there. The batch's nodes were launched into the emptiest zones while the
    // old ones still counted; an Auto Scaling group terminates from the fullest zone, so the
    // zones stay balanced (retiring the oldest anywhere left 3:1 in two zones after a
    // deployment, and a zone outage then took three nodes of four).
    surge_ = 0;
    for (int k = 0; k < batch_ && in_group() > group_target(); ++k) {
        const std::vector<int> per_zone = nodes_per_zone();
        const auto fuller = [&](const Node &a, const Node &b) {
            const int za = per_zone[static_cast<std::size_t>(a.zone)];
            const int zb = per_zone[static_cast<std::size_t>(b.zone)];
            return za != zb ? za > zb : a.id < b.id;
        };
        int oldest = -1;
        for (std::size_t i = 0; i < nodes_.slots(); ++i) {
            const Node &n = nodes_[static_cast<int>(i)];
            if ((n.state == NodeState::running || n.state == NodeState::booting) &&
                n.version < release_ && (oldest < 0 || fuller(n, nodes_[oldest])))
                oldest = static_cast<int>(i);
        }
        if (oldest < 0) break;
        retire(oldest, LossCause::deployment, true);
    }
    completing_ = false;
    next_batch();
    if (batch_ == 0)
        reconcile(); // the last batch: a scale-in meanwhile may have left no old
                     // node to retire, so the group can be above its desired count
}

int ServerFleet::launch(int zone) {
    const int slot = nodes_.launch(zone);
    nodes_[slot].version = release_;
    schedule_boot(slot);
    if (launch_log_) launch_log_->push_back(slot);
    return slot;
}

// The node is booted a `boot_time` draw from now.
void ServerFleet::schedule_boot(int node) {
    ctx_.sim.schedule(ctx_.now() + ctx_.arch.cluster.boot_time.sample_time(boot_rng_), node_booted,
                      static_cast<std::uint32_t>(node), nodes_[node].generation);
}

void ServerFleet::on_launch_retry(int node, std::uint32_t generation) {
    Node &n = nodes_[node];
    if (n.generation != generation || n.state != NodeState::booting || !n.waits_for_zone ||
        !zone_outages_[static_cast<std::size_t>(n.zone)])
        return; // gone, or its own zone came back meanwhile (and restarted it)
    const int to = launch_zone();
    if (zone_outages_[static_cast<std::size_t>(to)]) return; // every zone is dark again
    n.zone = to;
    n.waits_for_zone = false;
    schedule_boot(node);
}

// A booted node joins the target group and gets traffic once it passes its health checks.
void ServerFleet::on_booted(int node, std::uint32_t generation) {
    Node &n = nodes_[node];
    if (n.generation != generation || n.state != NodeState::booting) return;
    if (zone_outages_[static_cast<std::size_t>(n.zone)]) { // launched while every zone was dark
        n.waits_for_zone = true;
        return;
    }
    n.state = NodeState::running;
    lb_.set_state(nodes_.ref(node), LoadBalancer::Target::initial);
    health_.watch(nodes_.ref(node), 1); // a new target passes one check (ALB)
    became_up(node);
    report_fleet();
}

// Serving capacity counts routable running nodes only, a warming one by its share;
// utilization's denominator also holds the workers of nodes still working off what they hold.
void ServerFleet::report_fleet() {
    MetricsSink::Fleet f;
    const double per_node = ctx_.arch.cluster.workers;
    for (std::size_t i = 0; i < nodes_.slots(); ++i) {
        const Node &n = nodes_[static_cast<int>(i)];
        if (n.state == NodeState::free) continue;
        ++f.billed;
        f.running += n.running();
        f.booting += n.state == NodeState::booting;
        f.draining += n.state == NodeState::draining;
        if (n.running() && lb_.routable(static_cast<int>(i))) {
            const double c = capacity(n);
            f.serving_workers += c;
            f.serving_nodes += c / per_node;
        } else if (n.state == NodeState::draining ||
                   (n.running() && (n.busy > 0 || !n.queue.empty()))) {
            // Out of service but still serving what it holds (draining; with drain: sessions,
            // its sticky sessions too), or running but no longer routed to while it works off
            // what the balancer sent it failing open: its busy workers count, so do its workers.
            f.serving_workers += capacity(n);
        }
    }
    f.desired = group_target();
    ctx_.sink.fleet_changed(ctx_.now(), f);
}

} // namespace statesim
