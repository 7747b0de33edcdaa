#include "statesim/output/recorder.hpp"

#include <algorithm>

namespace statesim {

Recorder::Recorder(SimTime warmup, SimTime end, SimTime interval)
    : warmup_(warmup), end_(end), interval_(interval), next_row_(std::min(interval, end)) {
    // Exactly the rows the run will have (the last one may be shorter): a growing vector would
    // hold up to twice as many.
    if (interval_ > 0)
        r_.timeseries.reserve(static_cast<std::size_t>((end_ + interval_ - 1) / interval_));
}

void Recorder::advance(Level &l, SimTime now) const {
    if (now <= l.since) return;
    l.interval_area += l.value * static_cast<double>(now - l.since);
    const SimTime lo = std::max(l.since, warmup_), hi = std::min(now, end_);
    if (hi > lo) l.window_area += l.value * static_cast<double>(hi - lo);
    l.since = now;
}

// Rows end at interval, 2 x interval, ... and the last one at the end of the window, shorter
// when the window is not a whole number of intervals, so the rows always reach the end. A row
// holds what happened in [its start, its end), the last one [its start, end]: the window counts
// its end (counts()), so the last row is written only once the clock has passed it (or at
// finish, `last`).
void Recorder::roll_rows(SimTime now, bool last) {
    while (next_row_ <= end_ &&
           (next_row_ < now || (next_row_ == now && (next_row_ < end_ || last)))) {
        for (Level *l : {&busy_, &serving_workers_})
            advance(*l, next_row_);
        TimeseriesRow row = row_;
        row.time_s = to_seconds(next_row_);
        row.latency_p50_ms = row_latency_.quantile(0.5) * 1e-6;
        row.latency_p99_ms = row_latency_.quantile(0.99) * 1e-6;
        row.nodes_in_service = fleet_.running;
        row.nodes_booting = fleet_.booting;
        row.nodes_desired = fleet_.desired;
        row.nodes_draining = fleet_.draining;
        row.utilization = serving_workers_.interval_area > 0
                              ? busy_.interval_area / serving_workers_.interval_area
                              : 0;
        row.sessions_active = open_;
        row.sessions_lost_total = lost_total_;
        row.environments = environments_now_;
        r_.timeseries.push_back(row);
        row_ = TimeseriesRow{};
        row_latency_.clear();
        busy_.interval_area = serving_workers_.interval_area = 0;
        next_row_ = next_row_ == end_ ? kNoMoreRows : std::min(next_row_ + interval_, end_);
    }
}

bool Recorder::session_started(SimTime now) {
    roll(now);
    ++open_;
    const bool measured = counts(now);
    r_.sessions_started += measured;
    return measured;
}

void Recorder::session_ended(SimTime now, bool measured, Outcome how) {
    roll(now);
    --open_;
    if (!measured) return;
    if (how == Outcome::completed) ++r_.sessions_completed;
    if (how == Outcome::abandoned) ++r_.sessions_abandoned;
}

void Recorder::session_lost(SimTime now, bool measured, LossCause cause) {
    roll(now);
    ++lost_total_;
    if (!measured) return;
    ++r_.sessions_lost;
    ++r_.lost_by_cause[static_cast<std::size_t>(cause)];
}

void Recorder::request_begun(SimTime now) {
    roll(now);
    ++row_.arrivals;
}

void Recorder::request_done(SimTime now, SimTime latency) {
    roll(now);
    ++r_.attempts_simulated;
    ++row_.completions;
    row_latency_.add(latency);
    if (!counts(now)) return;
    ++r_.requests_ok;
    r_.latency.add(latency);
}

void Recorder::attempt_failed(SimTime now, bool retried) {
    roll(now);
    ++r_.attempts_simulated;
    ++row_.failures;
    if (!counts(now)) return;
    ++r_.attempts_failed;
    ++(retried ? r_.retries : r_.requests_failed);
}

void Recorder::work_changed(SimTime now, int in_system_delta, int busy_delta) {
    roll(now);
    if (in_system_delta) set(in_system_, in_system_.value + in_system_delta, now);
    if (busy_delta) set(busy_, busy_.value + busy_delta, now);
}

void Recorder::served(SimTime now, SimTime at_node) {
    if (!counts(now)) return;
    node_time_sum_ns_ += static_cast<double>(at_node);
    ++node_time_count_;
}

void Recorder::fleet_changed(SimTime now, const Fleet &fleet) {
    roll(now);
    fleet_ = fleet;
    set(serving_workers_, fleet.serving_workers, now);
    set(serving_nodes_, fleet.serving_nodes, now);
    set(billed_, fleet.billed, now);
    set(up_, fleet.serving_nodes > 0 ? 1.0 : 0.0, now);
}

void Recorder::store_op(SimTime now, bool write, bool ok, std::uint32_t units,
                        std::uint32_t throttles) {
    roll(now);
    row_.store_throttles += throttles;
    if (!counts(now)) return;
    r_.store_throttles += throttles;
    if (!ok) return; // failed operations are neither counted nor billed
    ++(write ? r_.store_writes : r_.store_reads);
    (write ? r_.store_write_units : r_.store_read_units) += units;
}

// Utilization under serverless is busy environment-time over environment-time (idle warm
// environments are the platform's capacity).
void Recorder::environments_changed(SimTime now, int environments) {
    roll(now);
    serverless_ = true;
    environments_now_ = environments;
    set(environments_, environments, now);
    set(serving_workers_, environments, now);
    set(up_, 1.0, now);
}

void Recorder::throttled(SimTime now) {
    roll(now);
    if (counts(now)) ++r_.throttles;
}

void Recorder::invocation(SimTime now, SimTime billed, bool cold) {
    roll(now);
    if (!counts(now)) return;
    ++r_.invocations;
    r_.cold_starts += cold;
    r_.function_seconds += to_seconds(billed);
}

bool Recorder::workflow_started(SimTime now) {
    roll(now);
    const bool measured = counts(now);
    r_.workflows_started += measured;
    return measured;
}

// Workflows count for the cohort that started in the window, followed to their outcome.
void Recorder::workflow_ended(SimTime, bool measured, bool completed, LossCause cause,
                              SimTime took) {
    if (!measured) return;
    if (completed) {
        ++r_.workflows_completed;
        r_.workflow_duration.add(took);
        return;
    }
    ++r_.workflows_lost;
    ++r_.workflows_lost_by_cause[static_cast<std::size_t>(cause)];
}

// Transitions are billed when they happen inside the window (as store operations are).
void Recorder::state_transition(SimTime now) {
    roll(now);
    if (counts(now)) ++r_.state_transitions;
}

void Recorder::mark(SimTime now, MarkedEvent what, std::string target, std::string detail) {
    roll(now);
    if (now > end_) return; // the drain after the window is not plotted (nor the timeseries)
    r_.events.push_back({to_seconds(now), what, std::move(target), std::move(detail)});
    if (!counts(now)) return;
    if (what == MarkedEvent::scale_out) ++r_.scale_out_events;
    if (what == MarkedEvent::scale_in) ++r_.scale_in_events;
}

RunResult Recorder::finish(SimTime now) {
    const SimTime stop = std::min(now, end_);
    roll_rows(stop, true);
    for (Level *l :
         {&busy_, &in_system_, &serving_workers_, &serving_nodes_, &billed_, &up_, &environments_})
        advance(*l, stop);
    const double window_ns = std::max(1.0, static_cast<double>(stop - warmup_));
    r_.duration_s = std::max(0.0, to_seconds(stop - warmup_));
    r_.nodes_mean = serving_nodes_.window_area / window_ns;
    r_.availability = stop > warmup_ ? up_.window_area / window_ns : 0;
    r_.environments_mean = environments_.window_area / window_ns;
    r_.environments_busy_mean = serverless_ ? busy_.window_area / window_ns : 0;
    r_.node_hours = billed_.window_area / static_cast<double>(kSecond) / 3600.0;
    // Of no capacity, or of no request: undefined (an empty cell, n/a), not 0.
    constexpr double kUndefined = std::numeric_limits<double>::quiet_NaN();
    r_.utilization = serving_workers_.window_area > 0
                         ? busy_.window_area / serving_workers_.window_area
                         : kUndefined;
    r_.requests_in_system_mean = in_system_.window_area / window_ns;
    r_.node_response_mean_ms =
        node_time_count_ ? node_time_sum_ns_ / static_cast<double>(node_time_count_) * 1e-6
                         : kUndefined;
    r_.store_ops = r_.store_reads + r_.store_writes;
    return std::move(r_);
}

} // namespace statesim
