#include "statesim/output/run_record_codec.hpp"

#include <cstring>
#include <deque>
#include <type_traits>

namespace statesim {

// Reaches the histogram's buckets, which nothing else needs to see.
struct HistogramCodec {
    template <class Io> static void fields(Io &io, const Histogram &h) {
        // Sparse: most of the ~7,000 buckets are empty.
        std::uint64_t used = 0;
        for (auto c : h.counts_)
            used += c != 0;
        io(used);
        for (std::size_t i = 0; i < h.counts_.size(); ++i)
            if (h.counts_[i]) {
                io(static_cast<std::uint64_t>(i));
                io(h.counts_[i]);
            }
        io(h.count_);
        io(h.sum_);
        io(h.min_);
        io(h.max_);
    }
    template <class Io> static void fields(Io &io, Histogram &h) {
        h.clear();
        std::uint64_t used = 0;
        io(used);
        for (std::uint64_t k = 0; k < used; ++k) {
            std::uint64_t i = 0;
            io(i);
            if (i >= h.counts_.size()) throw CodecError("histogram bucket out of range");
            io(h.counts_[i]);
        }
        io(h.count_);
        io(h.sum_);
        io(h.min_);
        io(h.max_);
    }
};

namespace {

// The one list of fields, shared by encoding and decoding so that they cannot disagree
// (T is const when encoding). A field added to RunResult goes here; the round-trip test
// (tests/unit/run_record_codec_test.cpp) fails until it does.
template <class Io, class T> void timeseries_fields(Io &io, T &r) {
    io(r.time_s), io(r.arrivals), io(r.completions), io(r.failures), io(r.latency_p50_ms);
    io(r.latency_p99_ms), io(r.nodes_in_service), io(r.nodes_booting), io(r.nodes_desired);
    io(r.nodes_draining), io(r.utilization), io(r.sessions_active), io(r.sessions_lost_total);
    io(r.store_throttles), io(r.environments);
}

template <class Io, class T> void event_fields(Io &io, T &r) {
    io(r.time_s), io(r.what), io(r.target), io(r.detail);
}

template <class Io, class T> void trace_fields(Io &io, T &r) {
    io(r.time_s), io(r.session), io(r.request), io(r.attempt), io(r.event), io(r.node);
    io(r.detail);
}

template <class Io, class T> void result_fields(Io &io, T &r) {
    io(r.sessions_started), io(r.sessions_completed), io(r.sessions_lost);
    io(r.sessions_abandoned), io(r.sessions_active), io(r.lost_by_cause);
    io(r.requests_ok), io(r.requests_failed), io(r.attempts_failed), io(r.retries);
    io(r.latency);
    io(r.duration_s), io(r.nodes_mean), io(r.node_hours), io(r.utilization);
    io(r.requests_in_system_mean), io(r.node_response_mean_ms), io(r.availability);
    io(r.scale_out_events), io(r.scale_in_events);
    io(r.cold_starts), io(r.store_ops), io(r.store_reads), io(r.store_writes);
    io(r.store_throttles), io(r.workflows_completed), io(r.workflows_lost);
    io(r.throttles), io(r.invocations), io(r.function_seconds);
    io(r.environments_mean), io(r.environments_busy_mean);
    io(r.workflows_started), io(r.workflows_active), io(r.state_transitions);
    io(r.workflows_lost_by_cause), io(r.workflow_duration);
    io(r.store_read_units), io(r.store_write_units);
    io(r.cost_nodes_usd), io(r.cost_store_requests_usd), io(r.cost_store_nodes_usd);
    io(r.cost_store_capacity_usd);
    io(r.cost_lambda_requests_usd), io(r.cost_lambda_duration_usd);
    io(r.cost_lambda_provisioned_usd), io(r.cost_state_transitions_usd);
    io(r.cost_usd), io(r.cost_per_month_usd), io(r.cost_per_1k_sessions_usd);
    io(r.draws.requests), io(r.draws.think_s), io(r.draws.demand_s);
    io(r.sim_events), io(r.attempts_simulated), io(r.sessions_peak), io(r.interrupted);
    io(r.timeseries), io(r.events), io(r.trace);
}

template <class Io, class T> void record_fields(Io &io, T &r) {
    io(r.point), io(r.architecture), io(r.replication), io(r.seed), io(r.done), io(r.result);
}

// Changes when the layout of the bytes does; the byte order is part of it.
constexpr std::uint32_t kMagic = 0x53524332; // "SRC2": histograms carry their minimum

template <class T>
concept Plain = std::is_arithmetic_v<T> || std::is_enum_v<T>;

struct Encoder {
    std::string out;

    template <Plain T> void operator()(const T &v) {
        char bytes[sizeof(T)];
        std::memcpy(bytes, &v, sizeof(T));
        out.append(bytes, sizeof(T));
    }
    void operator()(bool b) { (*this)(static_cast<std::uint8_t>(b)); }
    void operator()(const std::string &s) {
        (*this)(static_cast<std::uint64_t>(s.size()));
        out.append(s);
    }
    template <class T, std::size_t N> void operator()(const std::array<T, N> &a) {
        for (const auto &x : a)
            (*this)(x);
    }
    template <class List> void list(const List &v) {
        (*this)(static_cast<std::uint64_t>(v.size()));
        for (const auto &x : v)
            (*this)(x);
    }
    template <class T> void operator()(const std::vector<T> &v) { list(v); }
    template <class T> void operator()(const std::deque<T> &v) { list(v); }
    void operator()(const Histogram &h) { HistogramCodec::fields(*this, h); }
    void operator()(const TimeseriesRow &r) { timeseries_fields(*this, r); }
    void operator()(const EventRow &r) { event_fields(*this, r); }
    void operator()(const TraceRow &r) { trace_fields(*this, r); }
    void operator()(const RunResult &r) { result_fields(*this, r); }
};

struct Decoder {
    std::string_view in;

    void need(std::size_t n) const {
        if (in.size() < n) throw CodecError("truncated run record");
    }
    template <Plain T> void operator()(T &v) {
        need(sizeof(T));
        std::memcpy(&v, in.data(), sizeof(T));
        in.remove_prefix(sizeof(T));
    }
    void operator()(bool &b) {
        std::uint8_t v = 0;
        (*this)(v);
        if (v > 1) throw CodecError("bad flag in a run record");
        b = v == 1;
    }
    std::size_t size() {
        std::uint64_t n = 0;
        (*this)(n);
        need(n > in.size() ? in.size() + 1 : 0); // every element takes at least one byte
        return static_cast<std::size_t>(n);
    }
    void operator()(std::string &s) {
        const std::size_t n = size();
        s.assign(in.data(), n);
        in.remove_prefix(n);
    }
    template <class T, std::size_t N> void operator()(std::array<T, N> &a) {
        for (auto &x : a)
            (*this)(x);
    }
    template <class List> void list(List &v) {
        v.assign(size(), typename List::value_type{});
        for (auto &x : v)
            (*this)(x);
    }
    template <class T> void operator()(std::vector<T> &v) { list(v); }
    template <class T> void operator()(std::deque<T> &v) { list(v); }
    void operator()(Histogram &h) { HistogramCodec::fields(*this, h); }
    void operator()(TimeseriesRow &r) { timeseries_fields(*this, r); }
    void operator()(EventRow &r) {
        event_fields(*this, r);
        if (static_cast<std::size_t>(r.what) >= static_cast<std::size_t>(MarkedEvent::count))
            throw CodecError("unknown event in a run record");
    }
    void operator()(TraceRow &r) {
        trace_fields(*this, r);
        if (static_cast<std::size_t>(r.event) >= static_cast<std::size_t>(TraceEvent::count))
            throw CodecError("unknown trace event in a run record");
    }
    void operator()(RunResult &r) { result_fields(*this, r); }
};

} // namespace

std::string encode_record(const RunRecord &r) {
    Encoder e;
    e(kMagic);
    record_fields(e, r);
    return std::move(e.out);
}

RunRecord decode_record(std::string_view bytes) {
    Decoder d{bytes};
    std::uint32_t magic = 0;
    d(magic);
    if (magic != kMagic) throw CodecError("not a run record of this statesim build");
    RunRecord r;
    record_fields(d, r);
    if (!d.in.empty()) throw CodecError("trailing bytes after a run record");
    return r;
}

} // namespace statesim
