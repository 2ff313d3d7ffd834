/*
 * nexmark.h — a small, deterministic Nexmark event generator (header only),
 * shared by the runtime and engine benchmarks.
 *
 * Events follow Nexmark's mix (person : auction : bid = 1 : 3 : 46) and
 * carry event times spaced by a fixed inter-event gap, so a run is fully
 * determined by (seed, first event time, events per second). Records are
 * rendered as one JSON object each, with Nexmark's field names; a bid is
 * about 150 bytes:
 *   {"auction":1007,"bidder":2043,"price":4123,"channel":"Google",
 *    "url":"https://www.nexmark.com/aqz/item.htm?query=1","dateTime":
 *    "2026-01-01 00:00:00.002","extra":"..."}
 * Not a port of the reference generator: ids and prices follow its shapes
 * (recent auctions and people are the hot ones) without its exact tables.
 */
#ifndef EDDY_NEXMARK_H
#define EDDY_NEXMARK_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef enum { NEXMARK_PERSON = 0, NEXMARK_AUCTION, NEXMARK_BID } nexmark_kind;

typedef struct nexmark_gen {
    uint64_t state;        /* private: splitmix64 state */
    uint64_t n_events;     /* read-only: events generated so far */
    int64_t first_ms;      /* event time of event 0, epoch ms */
    double gap_ms;         /* event time between consecutive events */
    uint64_t n_auction_keys; /* bids pick auctions among this many ids (0 = recent ones) */
} nexmark_gen;

typedef struct nexmark_bid {
    int64_t auction, bidder, price;
    const char *channel;
    char url[96];
    int64_t date_time;     /* epoch ms */
    char extra[48];
} nexmark_bid;

static inline uint64_t nexmark__next(nexmark_gen *g) {
    uint64_t z = (g->state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Starts a generator; events_per_sec sets the event-time spacing. */
static inline void nexmark_init(nexmark_gen *g, uint64_t seed, int64_t first_ms, double events_per_sec) {
    memset(g, 0, sizeof *g);
    g->state = seed;
    g->first_ms = first_ms;
    g->gap_ms = events_per_sec > 0 ? 1000.0 / events_per_sec : 1.0;
}

/* Kind of event number n in Nexmark's 1:3:46 proportions. */
static inline nexmark_kind nexmark_kind_of(uint64_t n) {
    uint64_t m = n % 50;
    return m == 0 ? NEXMARK_PERSON : m < 4 ? NEXMARK_AUCTION : NEXMARK_BID;
}

static inline void nexmark__word(nexmark_gen *g, char *out, int len) {
    for (int i = 0; i < len; i++) out[i] = (char)('a' + nexmark__next(g) % 26);
    out[len] = '\0';
}

/* Generates the next bid (skipping person/auction events in the mix so that
 * ids and times advance as in a full stream). */
static inline void nexmark_next_bid(nexmark_gen *g, nexmark_bid *b) {
    static const char *const channels[4] = {"Google", "Facebook", "Baidu", "Apple"};
    uint64_t n;
    do {
        n = g->n_events++;
    } while (nexmark_kind_of(n) != NEXMARK_BID);
    uint64_t auctions = n / 50 * 3 + 1, people = n / 50 + 1;
    uint64_t r = nexmark__next(g);
    if (g->n_auction_keys) {
        b->auction = 1000 + (int64_t)(r % g->n_auction_keys);
    } else {
        /* 90 % of bids go to the 100 most recent auctions. */
        uint64_t span = r % 10 ? (auctions < 100 ? auctions : 100) : auctions;
        b->auction = 1000 + (int64_t)(auctions - 1 - (r >> 8) % span);
    }
    r = nexmark__next(g);
    b->bidder = 1000 + (int64_t)(r % people);
    /* Prices are log-uniform-ish cents: 1 .. ~1,000,000. */
    r = nexmark__next(g);
    int64_t mag = 1;
    for (uint64_t k = r % 6; k; k--) mag *= 10;
    b->price = mag + (int64_t)((r >> 8) % (uint64_t)(mag * 9));
    b->channel = channels[nexmark__next(g) % 4];
    char word[8];
    nexmark__word(g, word, 3);
    snprintf(b->url, sizeof b->url, "https://www.nexmark.com/%s/item.htm?query=%d", word,
             (int)(nexmark__next(g) % 5 + 1));
    b->date_time = g->first_ms + (int64_t)((double)n * g->gap_ms);
    nexmark__word(g, b->extra, (int)(nexmark__next(g) % 24));
}

/* Formats epoch ms as "YYYY-MM-DD HH:MM:SS.mmm" (UTC) into out (>= 48). */
static inline void nexmark__ts(int64_t ms, char *out) {
    int64_t days = ms / 86400000, rem = ms % 86400000;
    if (rem < 0) {
        rem += 86400000;
        days--;
    }
    /* civil_from_days (H. Hinnant) */
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    unsigned ur = (unsigned)rem;
    snprintf(out, 48, "%04d-%02u-%02u %02u:%02u:%02u.%03u", (int)y, m, d, ur / 3600000u, ur / 60000u % 60u,
             ur / 1000u % 60u, ur % 1000u);
}

/* Renders a bid as one JSON object; returns its length (truncated to cap-1). */
static inline int nexmark_bid_json(const nexmark_bid *b, char *out, size_t cap) {
    char ts[48];
    nexmark__ts(b->date_time, ts);
    return snprintf(out, cap,
                    "{\"auction\":%lld,\"bidder\":%lld,\"price\":%lld,\"channel\":\"%s\",\"url\":\"%s\","
                    "\"dateTime\":\"%s\",\"extra\":\"%s\"}",
                    (long long)b->auction, (long long)b->bidder, (long long)b->price, b->channel, b->url, ts,
                    b->extra);
}

#endif
