#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <stdexcept>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "statesim/engine/event_queue.hpp"
#include "statesim/engine/radix_heap.hpp"
#include "statesim/engine/random.hpp"
#include "statesim/engine/seq_set.hpp"

using namespace statesim;

TEST_CASE("events come out by time with ties in insertion order") {
    EventQueue q;
    q.push(30, 0, 1, 0);
    q.push(10, 0, 2, 0);
    q.push(30, 0, 3, 0);
    q.push(10, 0, 4, 0);
    q.push(20, 0, 5, 0);
    std::vector<std::uint32_t> order;
    while (!q.empty())
        order.push_back(q.pop().target);
    CHECK(order == std::vector<std::uint32_t>{2, 4, 5, 1, 3});
}

TEST_CASE("matches a sorted reference under random pushes and pops") {
    EventQueue q;
    Rng rng(7);
    std::vector<std::tuple<SimTime, std::uint64_t>> reference; // (time, seq)
    SimTime now = 0;
    std::vector<std::tuple<SimTime, std::uint64_t>> popped, expected;
    for (int step = 0; step < 200000; ++step) {
        if (reference.empty() || rng.uniform() < 0.55) {
            // Many exact ties (coarse times) and a wide spread of horizons.
            const SimTime t = now + static_cast<SimTime>(rng.below(4)) *
                                        static_cast<SimTime>(1 + rng.below(1'000'000'000));
            const auto seq = q.push(t, 0, 0, 0);
            reference.emplace_back(t, seq);
        } else {
            const auto it = std::min_element(reference.begin(), reference.end());
            expected.push_back(*it);
            reference.erase(it);
            const Event e = q.pop();
            now = e.time;
            popped.emplace_back(e.time, e.seq);
        }
    }
    CHECK(popped == expected);
    CHECK(q.size() == reference.size());
}

TEST_CASE("cancelled events never come out") {
    EventQueue q;
    const auto a = q.push(5, 0, 1, 0);
    q.push(6, 0, 2, 0);
    const auto c = q.push(7, 0, 3, 0);
    q.cancel(a);
    q.cancel(c);
    CHECK(q.size() == 1);
    CHECK(q.peek_time() == 6);
    CHECK(q.pop().target == 2);
    CHECK(q.empty());
    CHECK(q.peek_time() == kForever);
}

TEST_CASE("scheduling in the past is a logic error") {
    EventQueue q;
    q.push(100, 0, 0, 0);
    q.pop();
    CHECK_THROWS_AS(q.push(99, 0, 0, 0), std::logic_error);
    CHECK_NOTHROW(q.push(100, 0, 0, 0));
}

TEST_CASE("switching between heap and radix heap keeps the order") {
    // Grow past kToRadix, shrink below kToHeap, grow again; peek and cancel on the way.
    EventQueue q;
    Rng rng(13);
    std::vector<std::tuple<SimTime, std::uint64_t>> reference, popped, expected;
    SimTime now = 0;
    bool saw_radix = false;
    for (int phase = 0; phase < 4; ++phase) {
        const bool grow = phase % 2 == 0;
        for (int step = 0; step < 3000; ++step) {
            if (grow || reference.empty() || rng.uniform() < 0.2) {
                const SimTime t = now + static_cast<SimTime>(rng.below(50)) * 1000;
                reference.emplace_back(t, q.push(t, 0, 0, 0));
            } else {
                if (rng.uniform() < 0.1) { // cancel a random pending event
                    const auto i = rng.below(reference.size());
                    q.cancel(std::get<1>(reference[i]));
                    reference.erase(reference.begin() + static_cast<std::ptrdiff_t>(i));
                    continue;
                }
                const auto it = std::min_element(reference.begin(), reference.end());
                CHECK(q.peek_time() == std::get<0>(*it));
                expected.push_back(*it);
                reference.erase(it);
                const Event e = q.pop();
                now = e.time;
                popped.emplace_back(e.time, e.seq);
            }
            saw_radix = saw_radix || q.using_radix();
        }
    }
    CHECK(saw_radix);
    CHECK(popped == expected);
    CHECK(q.size() == reference.size());
}

TEST_CASE("an event earlier than the pending minimum may be pushed after a peek") {
    EventQueue q;
    for (int i = 0; i < 2000; ++i) // radix mode
        q.push(1000 + i, 0, static_cast<std::uint32_t>(i), 0);
    REQUIRE(q.using_radix());
    CHECK(q.peek_time() == 1000);
    q.push(500, 0, 99999, 0);
    CHECK(q.peek_time() == 500);
    CHECK(q.pop().target == 99999);
    CHECK(q.pop().target == 0);
}

namespace {

// STATESIM_TEST_SEED moves the fixed seeds of the randomized tests (see `make test-seeds`).
std::uint64_t seed_offset() {
    const char *s = std::getenv("STATESIM_TEST_SEED");
    return s ? std::strtoull(s, nullptr, 10) : 0;
}

// Payload derived from the seq, so every popped event can be checked field by field.
std::uint32_t kind_of(std::uint64_t seq) {
    return static_cast<std::uint32_t>(seq % 13);
}
std::uint32_t target_of(std::uint64_t seq) {
    return static_cast<std::uint32_t>(seq * 2654435761ULL);
}
std::uint64_t data_of(std::uint64_t seq) {
    return seq * 0x9e3779b97f4a7c15ULL;
}

// The reference: an ordered set of (time, seq) and the live seqs for picking cancellations.
struct Reference {
    std::set<std::pair<SimTime, std::uint64_t>> order;
    std::unordered_map<std::uint64_t, std::pair<SimTime, std::size_t>> where; // seq -> time, slot
    std::vector<std::uint64_t> live;

    void add(SimTime t, std::uint64_t seq) {
        order.emplace(t, seq);
        where[seq] = {t, live.size()};
        live.push_back(seq);
    }
    void remove(std::uint64_t seq) {
        const auto [t, slot] = where.at(seq);
        order.erase({t, seq});
        where[live.back()].second = slot;
        live[slot] = live.back();
        live.pop_back();
        where.erase(seq);
    }
};

} // namespace

TEST_CASE("matches a reference ordered set over millions of mixed pushes, pops, cancels and "
          "peeks") {
    // Phases drive the pending count between a few events and 2*10^5 (crossing the heap/radix
    // switch both ways); delays mix exact ties (0, a few ns, coarse multiples), short and long
    // exponential ones and delays of any magnitude up to 2^60 ns.
    EventQueue q;
    Reference ref;
    Rng rng(20240 + seed_offset(), "event-queue-reference");
    SimTime now = 0;
    std::uint64_t pushes = 0, pops = 0, cancels = 0, peeks = 0, mismatches = 0;
    bool saw_radix = false, saw_heap_after_radix = false;
    const std::size_t targets[] = {40, 3000, 200000, 300, 60000, 5, 1500, 0};
    for (const std::size_t target : targets) {
        const int steps = 300000;
        for (int step = 0; step < steps; ++step) {
            const double u = rng.uniform();
            const bool grow = ref.live.size() < target;
            if (ref.live.empty() || (grow ? u < 0.7 : u < 0.3)) {
                SimTime d = 0;
                switch (rng.below(7)) {
                case 0:
                    d = 0;
                    break;
                case 1:
                    d = static_cast<SimTime>(rng.below(4));
                    break;
                case 2:
                    d = static_cast<SimTime>(rng.below(50)) * 1000;
                    break;
                case 3:
                    d = from_seconds(rng.exponential(1e-3));
                    break;
                case 4:
                    d = from_seconds(rng.exponential(1.0));
                    break;
                case 5:
                    d = static_cast<SimTime>(rng.below(std::uint64_t{1} << rng.below(61)));
                    break;
                default:
                    d = static_cast<SimTime>(rng.below(300)) * 1'000'000;
                    break;
                }
                if (now > (SimTime{1} << 61)) d %= SimTime{1} << 30; // no overflow, ever
                const SimTime t = now + d;
                const std::uint64_t n = pushes++; // seqs count pushes from 0
                const std::uint64_t seq = q.push(t, kind_of(n), target_of(n), data_of(n));
                if (seq != n) ++mismatches;
                ref.add(t, seq);
            } else if (u < 0.85 || target == 0) {
                const auto expected = *ref.order.begin();
                const Event e = q.pop();
                ++pops;
                if (e.time != expected.first || e.seq != expected.second) ++mismatches;
                if (e.kind != kind_of(e.seq) || e.target != target_of(e.seq) ||
                    e.data != data_of(e.seq))
                    ++mismatches;
                ref.remove(expected.second);
                now = e.time;
            } else if (u < 0.93) {
                const std::uint64_t seq = ref.live[rng.below(ref.live.size())];
                const std::size_t stored = q.stored();
                q.cancel(seq);
                // Twice changes nothing while its tombstone is held (no purge dropped it).
                if (rng.uniform() < 0.1 && q.stored() == stored) q.cancel(seq);
                ref.remove(seq);
                ++cancels;
            } else {
                ++peeks;
                const SimTime want = ref.order.empty() ? kForever : ref.order.begin()->first;
                if (q.peek_time() != want) ++mismatches;
            }
            if (q.size() != ref.live.size()) ++mismatches;
            saw_radix = saw_radix || q.using_radix();
            saw_heap_after_radix = saw_heap_after_radix || (saw_radix && !q.using_radix());
        }
        while (target == 0 && !ref.live.empty()) { // drain the last phase completely
            const auto expected = *ref.order.begin();
            const Event e = q.pop();
            if (e.time != expected.first || e.seq != expected.second) ++mismatches;
            ref.remove(expected.second);
        }
    }
    CHECK(mismatches == 0);
    CHECK(q.empty());
    CHECK(q.peek_time() == kForever);
    CHECK(q.cancelled_pending() == 0);
    CHECK(saw_radix);
    CHECK(saw_heap_after_radix);
    CHECK(pops > 500000);
    CHECK(cancels > 100000);
    CHECK(peeks > 50000);
}

TEST_CASE("a million cancellations in reverse order, then their memory released") {
    // A sorted tombstone vector made this quadratic (each insert at the front moved them all).
    EventQueue q;
    const std::uint64_t n = 1'000'000;
    std::vector<std::uint64_t> seqs;
    seqs.reserve(n);
    for (std::uint64_t i = 0; i < n; ++i)
        seqs.push_back(q.push(static_cast<SimTime>(i % 1000) * kMicrosecond, 0, 0, i));
    // Cancel every event but one in ten, newest first.
    for (std::uint64_t i = n; i-- > 0;)
        if (i % 10 != 0) q.cancel(seqs[i]);
    CHECK(q.size() == n / 10);
    // Purges dropped the cancelled events whenever they outnumbered the live ones.
    CHECK(q.cancelled_pending() <= q.size());
    CHECK(q.stored() <= 2 * q.size() + EventQueue::kPurgeMin);
    std::uint64_t popped = 0;
    bool ordered = true, live_only = true;
    SimTime last = 0;
    std::uint64_t last_seq = 0;
    while (!q.empty()) {
        const Event e = q.pop();
        live_only = live_only && e.data % 10 == 0;
        ordered = ordered && (popped == 0 || e.time > last || (e.time == last && e.seq > last_seq));
        last = e.time;
        last_seq = e.seq;
        ++popped;
    }
    CHECK(popped == n / 10);
    CHECK(live_only);
    CHECK(ordered);
    CHECK(q.cancelled_pending() == 0); // every tombstone went with its event

    // Cancelling the last live events drops the cancelled ones still stored behind them.
    for (int i = 0; i < 5000; ++i)
        seqs[static_cast<std::size_t>(i)] = q.push(last + i, 0, 0, 0);
    for (int i = 0; i < 5000; ++i)
        q.cancel(seqs[static_cast<std::size_t>(i)]);
    CHECK(q.empty());
    CHECK(q.cancelled_pending() == 0);
    CHECK(q.peek_time() == kForever);
    CHECK_NOTHROW(q.push(last, 0, 0, 0)); // the floor survives
    CHECK(q.pop().time == last);
}

namespace {

// One phase of the timer pattern: `live` events in a hold loop (each pop pushes its successor a
// random delay later); every step also arms a timer an hour ahead and cancels it once `lag`
// steps later, like a request timeout answered in time. Returns false on any out-of-order or
// cancelled event popped.
bool timer_cycles(EventQueue &q, Rng &rng, std::size_t live, int cycles, std::size_t lag,
                  std::size_t &max_stored, std::size_t &max_bytes, SimTime &now) {
    constexpr std::uint32_t kTimer = 7;
    bool ok = true;
    std::vector<std::uint64_t> armed;
    std::size_t next_cancel = 0;
    for (std::size_t i = 0; i < live; ++i)
        q.push(now + static_cast<SimTime>(rng.below(1000)), 0, 0, 0);
    for (int c = 0; c < cycles; ++c) {
        armed.push_back(q.push(now + 3600 * kSecond, kTimer, 0, 0));
        const Event e = q.pop();
        ok = ok && e.kind != kTimer && e.time >= now;
        now = e.time;
        q.push(now + 1 + static_cast<SimTime>(rng.below(1000)), 0, 0, 0);
        if (armed.size() - next_cancel > lag) q.cancel(armed[next_cancel++]);
        if (next_cancel > 4096) { // keep the id list short
            armed.erase(armed.begin(), armed.begin() + static_cast<std::ptrdiff_t>(next_cancel));
            next_cancel = 0;
        }
        max_stored = std::max(max_stored, q.stored());
        max_bytes = std::max(max_bytes, q.capacity_bytes());
    }
    while (next_cancel < armed.size())
        q.cancel(armed[next_cancel++]);
    ok = ok && q.size() == live;
    while (!q.empty()) {
        const Event e = q.pop();
        ok = ok && e.kind != kTimer && e.time >= now;
        now = e.time;
    }
    return ok;
}

} // namespace

TEST_CASE("memory stays flat while a million timers are armed and cancelled") {
    // Without purges each cancelled timer would stay stored for an hour of simulated time,
    // i.e. for the whole run (the run lasts well under a simulated second).
    for (const std::size_t live : {std::size_t{20}, std::size_t{5000}}) { // heap, radix mode
        EventQueue q;
        Rng rng(31 + seed_offset(), "timers");
        SimTime now = 0;
        std::size_t warm_stored = 0, warm_bytes = 0, max_stored = 0, max_bytes = 0;
        CHECK(timer_cycles(q, rng, live, 20000, 3, warm_stored, warm_bytes, now));
        CHECK(timer_cycles(q, rng, live, 1'000'000, 3, max_stored, max_bytes, now));
        CHECK(max_stored <= 2 * (live + 4) + EventQueue::kPurgeMin);
        CHECK(max_bytes <= 2 * warm_bytes); // no growth with the number of cancels
        CHECK(max_bytes < (std::size_t{4} << 20));
        CHECK(q.stored() == 0);
        CHECK(q.cancelled_pending() == 0);
    }
}

TEST_CASE("purges keep the exact order, with peeks and pushes before a peeked minimum") {
    // Live events and long timers against the reference set; the timers are cancelled in bulk,
    // so purges run in both structures, in the middle of runs and late-event heaps.
    EventQueue q;
    Reference ref;
    Rng rng(77 + seed_offset(), "purge-reference");
    SimTime now = 0;
    std::uint64_t mismatches = 0, purges = 0;
    std::unordered_set<std::uint64_t> timers;
    for (int step = 0; step < 400000; ++step) {
        const double u = rng.uniform();
        const std::size_t target = (step / 50000) % 2 == 0 ? 3000 : 30;
        if (ref.live.empty() || u < (ref.live.size() < target ? 0.4 : 0.2)) {
            const SimTime t = now + static_cast<SimTime>(rng.below(rng.uniform() < 0.3 ? 5 : 5000));
            ref.add(t, q.push(t, 0, 0, 0));
        } else if (u < 0.7) {
            const SimTime t = now + kSecond + static_cast<SimTime>(rng.below(1000));
            const std::uint64_t seq = q.push(t, 1, 0, 0);
            timers.insert(seq);
            ref.add(t, seq);
        } else if (u < 0.75) {
            const std::size_t before = q.stored();
            for (const std::uint64_t seq : timers) {
                q.cancel(seq);
                ref.remove(seq);
            }
            timers.clear();
            purges += q.stored() < before ? 1 : 0; // only a purge removes stored events here
        } else if (u < 0.8) {
            const SimTime want = ref.order.empty() ? kForever : ref.order.begin()->first;
            if (q.peek_time() != want) ++mismatches;
        } else {
            const auto expected = *ref.order.begin();
            const Event e = q.pop();
            if (e.time != expected.first || e.seq != expected.second) ++mismatches;
            ref.remove(expected.second);
            if (e.kind == 1) timers.erase(e.seq);
            now = e.time;
        }
        if (q.size() != ref.live.size()) ++mismatches;
        if (q.stored() > 2 * q.size() + EventQueue::kPurgeMin) ++mismatches;
    }
    CHECK(mismatches == 0);
    CHECK(purges > 10);
}

TEST_CASE("a cancel after the event was popped is forgotten at the next purge") {
    // Outside the precondition, but it must not lose or reorder events nor keep memory.
    EventQueue q;
    std::vector<std::uint64_t> seqs;
    for (int i = 0; i < 2000; ++i)
        seqs.push_back(q.push(1000 + i, 0, 0, static_cast<std::uint64_t>(i)));
    for (int i = 0; i < 10; ++i)
        CHECK(q.pop().data == static_cast<std::uint64_t>(i));
    for (int i = 0; i < 10; ++i)
        q.cancel(seqs[static_cast<std::size_t>(i)]); // stale
    CHECK(q.size() == 1980);                         // under-counted until a purge
    for (int i = 1999; i >= 1000; --i)               // then cancel half and replace it later on
        q.cancel(seqs[static_cast<std::size_t>(i)]);
    for (int i = 1000; i < 2000; ++i)
        q.push(5000 + i, 0, 0, static_cast<std::uint64_t>(i));
    for (int i = 10; i < 1000; ++i) { // 3960 more tombstones: a purge at kPurgeMin
        q.cancel(q.push(9000, 0, 0, 0));
        q.cancel(q.push(9000, 0, 0, 0));
        q.cancel(q.push(9000, 0, 0, 0));
        q.cancel(q.push(9000, 0, 0, 0));
    }
    CHECK(q.size() == 1990); // recounted by a purge
    CHECK(q.cancelled_pending() <= EventQueue::kPurgeMin);
    std::uint64_t expect = 10;
    bool ordered = true;
    while (!q.empty()) {
        ordered = ordered && q.pop().data == expect;
        expect = expect == 999 ? 1000 : expect + 1;
    }
    CHECK(ordered);
    CHECK(expect == 2000);
}

TEST_CASE("cancelling an unknown seq changes nothing") {
    EventQueue q;
    q.cancel(0);
    q.cancel(12345);
    CHECK(q.empty());
    const auto a = q.push(5, 0, 1, 0);
    q.cancel(a + 1);
    CHECK(q.size() == 1);
    CHECK(q.pop().target == 1);
}

TEST_CASE("zero-delay events keep FIFO order in both structures") {
    for (const SimTime pending : {10, 5000}) { // heap mode, radix mode
        // Events on a lattice 1 us apart; each one popped puts the next lattice point behind the
        // others, so the count stays put and no other event shares its time.
        EventQueue q;
        for (SimTime k = 0; k < pending; ++k)
            q.push(kSecond + k * kMicrosecond, 0, 0, 0);
        bool fifo = true;
        for (int round = 0; round < 3000; ++round) {
            const Event e = q.pop();
            const SimTime now = e.time;
            q.push(now + pending * kMicrosecond, 0, 0, 0);
            // Three at its own time, a cancelled one, two 1 ns later: out before anything
            // later, in the order they were pushed.
            std::vector<std::uint64_t> expected;
            for (int k = 0; k < 3; ++k)
                expected.push_back(q.push(now, 1, 0, 0));
            q.cancel(q.push(now, 1, 0, 0));
            for (int k = 0; k < 2; ++k)
                expected.push_back(q.push(now + 1, 2, 0, 0));
            fifo = fifo && q.peek_time() == now;
            for (const std::uint64_t seq : expected) {
                const Event f = q.pop();
                fifo = fifo && f.seq == seq;
            }
            fifo = fifo && q.peek_time() == now + kMicrosecond;
        }
        CHECK(fifo);
        CHECK(q.size() == static_cast<std::size_t>(pending));
        CHECK(q.using_radix() == (pending > 1000));
    }
}

TEST_CASE("an event between the last pop and a peeked minimum comes out first, in both "
          "structures") {
    for (const SimTime pending : {10, 5000}) {
        EventQueue q;
        for (SimTime k = 0; k < pending; ++k)
            q.push(kSecond + k * kMicrosecond, 0, 0, 0);
        SimTime floor = q.pop().time;
        q.push(floor + pending * kMicrosecond, 0, 0, 0);
        bool first = true;
        for (int round = 0; round < 300; ++round) {
            const SimTime peeked = q.peek_time();
            const SimTime between = floor + (peeked - floor) / 2;
            q.push(between, 0, 99999, 0);
            first = first && q.peek_time() == between;
            const Event e = q.pop();
            first = first && e.target == 99999 && e.time == between;
            q.push(between + (peeked - between) / 2, 0, 88888, 0); // again before the peeked one
            first = first && q.pop().target == 88888;
            const Event f = q.pop();
            first = first && f.time == peeked && f.target == 0;
            floor = f.time;
            q.push(floor + pending * kMicrosecond, 0, 0, 0); // the count stays put
        }
        CHECK(first);
        CHECK(q.using_radix() == (pending > 1000));
    }
}

TEST_CASE("SeqSet agrees with std::unordered_set and frees its table when empty") {
    SeqSet s;
    std::unordered_set<std::uint64_t> ref;
    Rng rng(99 + seed_offset(), "seq-set");
    bool same = true;
    for (int step = 0; step < 400000; ++step) {
        // Keys cluster like live seqs, with a random spread; sizes swing up and down.
        const bool grow = (step / 50000) % 2 == 0;
        const std::uint64_t key = rng.below(grow ? 200000 : 20000) + (rng.below(8) << 40);
        if (rng.uniform() < (grow ? 0.7 : 0.3))
            same = same && s.insert(key) == ref.insert(key).second;
        else
            same = same && s.erase(key) == (ref.erase(key) == 1);
        if (step % 1000 == 0) same = same && s.contains(key) == (ref.count(key) == 1);
        same = same && s.size() == ref.size();
        same = same && s.capacity() <= std::max<std::size_t>(16, 8 * s.size()); // shrinks
    }
    CHECK(same);
    CHECK(s.capacity() >= 2 * s.size());
    bool erased = true;
    for (const std::uint64_t key : ref)
        erased = erased && s.erase(key);
    CHECK(erased);
    CHECK(s.empty());
    CHECK(s.capacity() == 0);
}

TEST_CASE("the radix heap gives back its block pool when drained") {
    RadixHeap h;
    h.reset(0);
    for (std::uint64_t i = 0; i < 200000; ++i)
        h.push(Event{static_cast<SimTime>(i * 7919 % 100000), i, 0, 0, 0});
    CHECK(h.pool_bytes() >= 200000 * sizeof(Event));
    std::vector<Event> out;
    h.drain_into(out);
    CHECK(out.size() == 200000);
    CHECK(h.empty());
    CHECK(h.pool_bytes() == 0);
}

namespace {
// An EventQueue checked against an ordered set: every pop must be the reference's earliest.
struct CheckedQueue {
    EventQueue q;
    std::set<std::pair<SimTime, std::uint64_t>> reference;
    bool in_order = true;
    void push(SimTime t) { reference.emplace(t, q.push(t, 0, 0, 0)); }
    SimTime pop() {
        const Event e = q.pop();
        in_order = in_order && std::pair{e.time, e.seq} == *reference.begin();
        reference.erase(reference.begin());
        return e.time;
    }
    void drain() {
        while (!reference.empty())
            pop();
    }
};
} // namespace

TEST_CASE("short delays into the sorted run come out in order: a few, and bursts past the "
          "merge point") {
    // 2000 events 10 us apart keep the radix heap in use; each round pops one (the run is then a
    // 65 us bucket) and pushes `burst` delays of up to 2 us, which mostly land inside the run's
    // range before its last event: late events (past RadixHeap's 32 at once they are merged
    // into the run). Then each of 2 x burst pops pushes a delay of up to 5 ms.
    for (const int burst : {3, 40, 200}) {
        CheckedQueue cq;
        for (SimTime k = 0; k < 2000; ++k)
            cq.push(kSecond + k * 10 * kMicrosecond);
        Rng rng(77, "late-events");
        for (int round = 0; round < 400; ++round) {
            const SimTime now = cq.pop();
            for (int k = 0; k < burst; ++k) // ties included: 1 ns steps over at most 2 us
                cq.push(now + static_cast<SimTime>(rng.below(2000)));
            for (int k = 0; k < 2 * burst; ++k) {
                const SimTime at = cq.pop();
                cq.push(at + static_cast<SimTime>(rng.below(5 * kMillisecond)));
            }
        }
        cq.drain();
        CHECK(cq.in_order);
        CHECK(cq.q.empty());
    }
}

TEST_CASE("a late event that stays pending while hundreds of others pass it keeps its place") {
    // Radix mode with events 1 ms apart; after a pop, one event 0.9 ms later waits among the
    // late events while 500 others are pushed 1 ns after each pop and taken before it: the late
    // events never run out, so their array is compacted, not cleared.
    EventQueue q;
    for (SimTime k = 0; k < 1000; ++k)
        q.push(kSecond + k * kMillisecond, 0, 0, 0);
    SimTime now = q.pop().time;
    const std::uint64_t waiting = q.push(now + 900 * kMicrosecond, 1, 0, 0);
    bool in_order = true;
    for (int k = 0; k < 500; ++k) {
        const std::uint64_t seq = q.push(now + 1, 2, 0, 0);
        const Event e = q.pop();
        in_order = in_order && e.seq == seq && e.time == now + 1;
        now = e.time;
    }
    const Event w = q.pop();
    CHECK(in_order);
    CHECK(w.seq == waiting);
    CHECK(q.pop().time == kSecond + kMillisecond);
    CHECK(q.using_radix());
}

TEST_CASE("a wide run flooded with short delays goes back into the buckets, in order") {
    // 300 events 8.6 s apart: after the first pop the run is a small bucket seconds wide. 2000
    // events in flight with delays of up to 1 ms then all land in its range: past 32 late events
    // and 256 run events the merged run is filed back into the buckets (the next refill splits
    // it), instead of every overflow merging into an ever longer run.
    CheckedQueue cq;
    for (SimTime k = 1; k <= 300; ++k)
        cq.push(k << 33);
    Rng rng(5, "wide-run");
    SimTime now = cq.pop();
    for (int i = 0; i < 2000; ++i)
        cq.push(now + static_cast<SimTime>(rng.below(kMillisecond)));
    for (int i = 0; i < 200000; ++i) {
        now = cq.pop();
        // Ties among them too: every tenth delay is a multiple of 100 us.
        const auto d = static_cast<SimTime>(rng.below(kMillisecond));
        cq.push(now + (i % 10 == 0 ? d / (100 * kMicrosecond) * (100 * kMicrosecond) : d));
    }
    cq.drain();
    CHECK(cq.in_order);
    CHECK(cq.q.empty());
}

TEST_CASE("events pushed after a peek moved the buckets on stay in order when they overflow") {
    // A peek at an empty run refills it from the next bucket (8.6 s on). Events pushed after it
    // in the next ms lie before that bucket: 400 of them overflow the late events, and the merged
    // run (over 256) cannot be filed below the buckets' reference, so it stays the run. Before,
    // they were filed anyway and came out of order, one earlier than the event before it.
    CheckedQueue cq;
    for (SimTime k = 1; k <= 300; ++k)
        cq.push(k << 33);
    const SimTime now = cq.pop();
    CHECK(cq.q.peek_time() == SimTime{2} << 33);
    Rng rng(11, "after-peek");
    for (int i = 0; i < 400; ++i)
        cq.push(now + static_cast<SimTime>(rng.below(kMillisecond)));
    SimTime last = now;
    bool monotone = true;
    while (!cq.reference.empty()) {
        const SimTime t = cq.pop();
        monotone = monotone && t >= last;
        last = t;
    }
    CHECK(monotone);
    CHECK(cq.in_order);
    CHECK(cq.q.empty());
}
