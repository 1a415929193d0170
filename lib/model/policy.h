/* SPDX-License-Identifier: GPL-2.0 */
/*
 * policy.h: the session model (priority classes, the state the policy reads, the one
 * estimator that turns readings into it) and the priority policy, a pure function from
 * that state to actions. The same code drives the live controller (bench `dynamic`, the
 * daemon) and the simulator.
 *
 * The model. Sessions share a budget B; the host reports total usage U, so the headroom
 * is h = B - U. HIGH sessions are never slowed. The policy keeps room for them: need = a
 * reserve (smaller once every LOW session is held: none can race HIGH then) + what HIGH's
 * growth rate would add over the horizon + per HIGH session the larger of a claim for its
 * recent peak (it may burst again), which decays linearly to nothing over claim_decay_s,
 * and the room up to its expected peak (look-ahead, kept free before the burst comes: the
 * expected_peak, declared by its user or learned from a profile; not the most it held in
 * this run, which, kept for as long as HIGH runs, cost LOW more than it saved). Room
 * promised to LOW sessions (a clamp above their usage) and what the free LOW sessions'
 * growth would take over their horizon count against the headroom too.
 *
 * LOW sessions form a queue: higher priority first, then the earliest started. A partial
 * burst is worth nothing (a test run that gets half its memory waits all the same), so
 * room goes to one session at a time, in queue order, instead of being split evenly:
 *   - h < need, or a HIGH session stalled in reclaim (seen by the BPF signals): every LOW
 *     session is held at its size (it can free memory, not grow): on
 *     v1 its limit is clamped with the OOM killer disabled, so its allocating task waits;
 *     on v2 its memory.high is clamped, and a session that creeps past it is frozen;
 *   - otherwise, when the free LOW sessions' growth would take the headroom below need,
 *     the later ones in the queue are held, so the first can finish its burst;
 *   - room beyond need is handed to the first held session in the queue whose tasks wait
 *     at its clamp, unless HIGH is in a burst (faster than grant_high_rate); room promised
 *     to another session that no longer uses it (idle for idle_s, or shrinking from its
 *     peak: its burst is over) is taken back for it;
 *   - admission: LOW sessions seen for the first time start in queue order while the room
 *     beyond need (less promised room, free growth and what those admitted before them are
 *     expected to grow by) holds what they declare (their expected_peak), their expected
 *     peaks fit (below) and nothing ahead of them in the queue waits for room; from the
 *     first that may not, they are held at their start ("waits at its start") and get room
 *     in their queue turn, instead of starting together and dying half-way;
 *   - and a LOW session starts (is admitted, or given its first room) only while every
 *     session's expected peak fits the budget together with the reserve: HIGH's (with its
 *     recent peak), those of the LOW sessions under way, and its own; held at their start,
 *     the others count at what they hold. A session's expected peak is what it declares,
 *     else its first reading plus its class's expected growth (cfg low_growth,
 *     high_growth: a burst profile's guess, at most a third of the budget), never less
 *     than it holds or has held. With no HIGH session and no LOW one under way, the first
 *     always starts. A session there before the policy first saw it (adopted: a daemon's
 *     restart) is under way, never held at its start;
 *   - once HIGH has been quiet for quiet_s (and the headroom exceeds the need they will
 *     meet once free, with the full reserve, + hysteresis), or no HIGH session is left,
 *     every held session that has run is released; of those
 *     that have not run yet (held at their start), the first in the queue gets the room
 *     once it waits and no other LOW session still grows, the rest wait their turn;
 *   - a held session whose tasks have waited at its clamp for wait_freeze_s without a
 *     break (v2: 5 s; v1 and the simulator: never) is frozen, when the host can freeze:
 *     on v2 its tasks would otherwise loop in reclaim at memory.high, burning CPU, for as
 *     long as HIGH needs the room. A frozen session counts as one that waits: it gets room
 *     in its turn, and is thawed with it (or on release). The trade-off: a frozen session
 *     holding a lock HIGH needs (a git index.lock, a package manager's lock) blocks HIGH
 *     until it is thawed, where a clamped one would have crept on and let go of it.
 * A kill happens only when every LOW session is held and either the parent is still at its
 * limit (its tasks wait there on v1; on v2 its memory.events oom grows), or held LOW
 * sessions alone fill the budget: every one waits at its clamp (or is frozen) and even all
 * of HIGH's memory back, with nothing kept for HIGH's growth or recent peak, would leave
 * less than a grant beyond held_reserve. Each then waits at its own clamp, so the parent
 * never reaches its limit, yet nothing can move: no LOW session gives memory back by
 * itself, and nothing HIGH frees would be enough (room HIGH holds, or keeps for its
 * return, is waited for, never killed for). Then, of the lowest priority class, among the
 * sessions whose memory makes the room (at the parent's limit: what HIGH is short of, need
 * - h; stuck: at least half of what the largest LOW session holds), the one whose loss is
 * least goes: the least work done (done_s, the estimator's: time since its first reading
 * free or held with room to grow), then the larger, then the most recently started; when
 * none alone makes the room, the largest. Where the swap the sessions may use (swap_free)
 * holds a session, that kill is a swap-out instead: of the sessions not pushed out already
 * that make the room, the last in the queue is frozen and its memory pushed out (it loses
 * no work; it waits), and it is served again (raised and thawed, or released) only once
 * the headroom beyond the need holds what it pushed out. One at a time: kill_cooldown_s
 * apart (1 s) when LOW sessions are stuck alone, kill_high_cooldown_s (0.25 s) while the
 * parent is at its limit, where HIGH may be the one waiting (HIGH waited up to a second for
 * the next kill in the simulator when the first did not free enough).
 *
 * Worked example: B = 1000 MiB, reserve 50 MiB (12.5 once all LOW are held), HIGH grows at
 * 1 GiB/s, horizon 0.1 s: need = 150 MiB. U = 900 MiB gives h = 100 < 150: both LOW
 * sessions are held at their usage. HIGH then shrinks, U = 660 MiB, and has not grown for
 * 0.1 s: need = 12.5, h = 340; both LOW sessions wait, LOW 1 is first in the queue and gets
 * clamp = usage + 340 - 12.5 - 4 (the grant margin) = usage + 323.5 MiB; LOW 2 waits its
 * turn until LOW 1 is idle or shrinks. After 0.5 s without HIGH growth both are released.
 * Look-ahead: HIGH idles at 100 MiB and declares a 600 MiB peak, LOW 1 and 2 hold 200 MiB
 * each: h = 500, need = 50 + 500 = 550, so both are held now, before HIGH's burst (with
 * nothing declared need is 50 and both would grow into the room HIGH is about to take).
 */
#ifndef AGENTCG_POLICY_H
#define AGENTCG_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Priority classes; lower value = more important (the LOW queue's order). HIGH is never
 * slowed; every class above it is LOW: held, queued, killed last-resort. Room for more
 * levels in between.
 */
enum acg_prio {
	ACG_PRIO_HIGH = 0,
	ACG_PRIO_LOW = 10,
};

/* Whether p is HIGH (never slowed); every other class is LOW. */
static inline bool acg_prio_is_high(enum acg_prio p)
{
	return p <= ACG_PRIO_HIGH;
}

/* "high" or "low" (the class a value belongs to). */
const char *acg_prio_name(enum acg_prio p);

/* The class called name ("high" or "low"): 0, or -EINVAL for another name. */
int acg_prio_parse(const char *name, enum acg_prio *ret);

/*
 * A session cgroup under the daemon's root is named "<class>-<name>" ("high-build",
 * "low-agent7"). Returns 0 and the class, or -EINVAL for a name without one.
 */
int acg_prio_from_cgroup(const char *cgname, enum acg_prio *ret);

struct acg_pol_cfg {
	uint64_t reserve;	     /* headroom always kept for HIGH, bytes */
	uint64_t hysteresis;	     /* extra headroom needed before handing room back */
	uint64_t held_reserve;	     /* the reserve once every LOW session is held */
	double horizon_s;	     /* HIGH's growth rate times this is added to the reserve */
	double low_horizon_s;	     /* a free LOW session's growth rate times this is counted */
	double quiet_s;		     /* HIGH not growing this long: release held sessions fully */
	double peak_window_s;	     /* a session's recent peak is its largest usage this long */
	double claim_decay_s;	     /* room kept for HIGH's recent peak decays to 0 over this */
	uint64_t freeze_slack;	     /* v2: a held session this far above its clamp is frozen */
	double kill_cooldown_s;	     /* between kills for LOW sessions stuck alone */
	double kill_high_cooldown_s; /* between kills while the parent is at its limit (HIGH
				      * may wait there): long enough for a victim's memory to be
				      * freed, short enough that HIGH does not wait a second */
	double idle_s;	 /* a held session that neither grew nor waited this long is idle */
	bool can_freeze; /* the host has a freezer for sessions */
	int low_nice;	 /* LOW sessions' threads run at least this nice (0: left alone) */
	/* HIGH growing faster than this (bytes/s): no room is handed to LOW. Unlimited by
	 * default (a v1 clamp is hard and the policy decides kills); the controller sets
	 * 256 MiB/s on v2, where a clamp (memory.high) can be overrun and the kernel's OOM
	 * killer cannot be paused */
	double grant_high_rate;
	/* a held session whose tasks have waited at its clamp this long without a break
	 * (waited_s) is frozen, when the host can freeze: on v2 such tasks loop in reclaim at
	 * memory.high, burning CPU, for as long as the hold lasts. INFINITY (the default:
	 * v1's hold is a sleep in the OOM wait, the simulator's a full stop) never; the
	 * controller sets ACG_POL_WAIT_FREEZE_S on v2 */
	double wait_freeze_s;
	/* what a session that declares no peak is expected to grow by from its first reading,
	 * at most, per class (bytes; 0: nothing): its prior_peak. Only admission reads it: a
	 * LOW session starts while every session's expected peak fits the budget together
	 * (see the model above). A burst profile's growth quantiles (`agentcg profile`, LOW at
	 * p75, HIGH at p90); by default ACG_POL_LOW_GROWTH and ACG_POL_HIGH_GROWTH */
	uint64_t low_growth, high_growth;
};

/*
 * The default expected growths: the burst profile of the tune split of the shipped traces
 * (`agentcg profile traces`: growth_bytes p75 and p90; test_profile checks they still
 * are). Agent sessions there start at 12-250 MiB and mostly grow by 200-400 MiB; a few by
 * 1.8-4 GiB, which no quantile below p95 foresees.
 */
#define ACG_POL_LOW_GROWTH UINT64_C(322161344)	/* 307.2 MiB */
#define ACG_POL_HIGH_GROWTH UINT64_C(401636065) /* 383.0 MiB */

/* The controller's wait_freeze_s on cgroup v2, seconds. */
#define ACG_POL_WAIT_FREEZE_S 5.0

/* Defaults for a budget: reserve 5% (at least 32 MiB), hysteresis half of it, ... */
void acg_pol_cfg_default(struct acg_pol_cfg *c, uint64_t budget);

struct acg_pol_session {
	enum acg_prio prio; /* acg_prio_is_high(), or LOW: larger = later in the queue */
	bool gone;	    /* its cgroup vanished: ignored */
	uint64_t usage;
	double rate;	      /* bytes per second, recent (negative when shrinking) */
	uint64_t recent_peak; /* HIGH: its largest usage within the peak window */
	/* HIGH: the most it is expected to hold (0: nothing expected), declared by its user
	 * (a scenario's peak_mb, run --peak-mb) or learned (a burst profile): room up to it is
	 * kept free before the burst comes. The reader's to set; the estimator leaves it */
	uint64_t expected_peak;
	double peak_t; /* when recent_peak was seen */
	double started_at;
	bool waiting;	     /* its tasks wait at its clamp (v1 under_oom, v2 memory.events high) */
	double waited_s;     /* how long they have waited there without a break (0: not waiting):
			   * the estimator ends a stretch when the session is released or given
			   * room, or has neither waited nor grown for ACG_POL_WAIT_GAP_S */
	bool in_wait;	     /* the estimator's: a stretch of waiting is under way, */
	double wait_since;   /* since then, */
	uint64_t wait_clamp; /* at this clamp */
	double active_at;    /* when it last grew or waited */
	uint64_t run_peak;   /* the estimator's: its largest usage since its first reading */
	uint64_t prior_peak; /* the estimator's: its first reading plus its class's expected
			      * growth (cfg low_growth, high_growth; at most a third of the
			      * budget): what admission expects of it when it declares no
			      * expected_peak */
	double seen_at;	     /* the estimator's: when it was last read (0: not yet by it; a
			      * session carried into a rebuilt controller without it starts
			      * counting its work again) */
	double done_s;	     /* its work so far, seconds: the time since it started that it was
			      * free, or held with room to grow (not at its size, not waiting, not
			      * frozen); about what a kill of it loses */
	bool adopted;	     /* the reader's: it ran before the policy first saw it (present
			      * when a daemon starts): under way, never waiting at its start */
	bool stalled;	     /* HIGH: its tasks were in memcg reclaim since the last look (a BPF
			   * signal): it is at the budget, so LOW must stop growing now */
	/* the estimator's, for sparse readings (acg_pol_look): held or frozen at its last
	 * reading, and the looks it may still skip before it is read again */
	bool read_held;
	unsigned skips_left;
	/* what is applied now (the actuators report it back) */
	bool held;
	uint64_t clamp; /* when held */
	bool frozen;
	/* pushed out to swap by the policy (ACG_ACT_SWAP_OUT), holding swapped bytes there,
	 * until it is thawed: the actuators' to set and clear */
	bool swapped;
	uint64_t swapped_bytes;
};

struct acg_pol_state {
	double now;
	uint64_t budget;
	uint64_t usage;		 /* the parent's */
	bool parent_waiting;	 /* the parent is at its limit: v1 under_oom (its tasks wait),
				  * v2 memory.events oom grew since the last look */
	double high_last_growth; /* when a HIGH session last grew */
	double last_kill;	 /* when the policy last killed or swapped out (or -inf) */
	uint64_t swap_free;	 /* swap the sessions may still use, bytes (0: none): a held
				  * LOW session is pushed out to it where it would be killed */
	double last_swap;	 /* when the policy last pushed a session out (or -inf) */
	struct acg_pol_session *s;
	size_t n;
};

enum acg_act_kind {
	ACG_ACT_HOLD,	 /* clamp at value (its usage) */
	ACG_ACT_RAISE,	 /* raise the clamp to value */
	ACG_ACT_RELEASE, /* remove the clamp */
	ACG_ACT_FREEZE,
	ACG_ACT_THAW,
	ACG_ACT_KILL,
	ACG_ACT_SWAP_OUT, /* freeze it and push value bytes of its memory out to swap */
};

const char *acg_act_name(enum acg_act_kind k);

struct acg_action {
	size_t session;
	enum acg_act_kind kind;
	uint64_t value;
	char reason[128];
};

/* A reading of a session's usage, the one its growth rate is measured from. */
struct acg_pol_reading {
	double t; /* NaN: none yet */
	uint64_t usage;
};

/*
 * Readings closer together than this give no rate. The kernel charges memory in per-CPU
 * batches (and huge pages), so two readings microseconds apart (a tick brought forward by
 * a wake-up) can differ by a batch, which over that gap reads as tens of GiB/s: here,
 * readings of a cgroup growing at 1450 MiB/s gave up to 438596 MiB/s between neighbours
 * 1 us apart, never above 3915 over 0.2 ms or more. A 16 MiB step over 5 ms is 3200 MiB/s,
 * what this host's memory can really be had at.
 */
#define ACG_POL_RATE_MIN_DT_S 0.005

/*
 * A stretch of waiting at a clamp ends after this long with neither a wait seen nor growth:
 * longer than the kernel's longest throttle sleep at memory.high (2 s), during which a
 * throttled task shows no new memory.events high.
 */
#define ACG_POL_WAIT_GAP_S 2.5

/*
 * Take a reading of usage at now into s->rate (bytes/s, the mean of the previous rate and
 * the one measured from *base), and move base to it; a reading less than
 * ACG_POL_RATE_MIN_DT_S after base changes neither (the next one is measured from base).
 * The first reading (base->t NaN) sets the rate to 0. Returns whether base moved. Pure.
 */
bool acg_pol_rate_update(struct acg_pol_session *s, struct acg_pol_reading *base, uint64_t usage,
			 double now);

/*
 * Keep s->recent_peak and s->peak_t: the largest usage seen within window seconds (a peak
 * is forgotten window seconds after it was seen).
 */
void acg_pol_track_peak(struct acg_pol_session *s, uint64_t usage, double now, double window);

/* Growth below this between two readings is noise (charge batches), not activity. */
#define ACG_POL_GROWTH_NOISE (UINT64_C(1) << 20)

/*
 * What one look at a session found: the live controller reads it from the session's cgroup
 * and the BPF signals, the simulator from its model.
 */
struct acg_pol_obs {
	uint64_t usage;
	bool waiting; /* its tasks wait at its limit: v1 under_oom, v2 memory.events high grew;
		       * the model: its clamp stopped it on the last step */
	bool reclaim; /* its tasks were in memcg reclaim since the last look (BPF) */
	bool faults;  /* it touched a MiB of new pages since the last look (BPF) */
};

/*
 * The estimator, the one path from a look at session i (at st->now) to the state the
 * policy reads; the controller and the simulator both take every reading through it. base
 * is the session's reading its rate is measured from (t NaN before the first). It sets:
 *   - started_at = now on the first reading, never again;
 *   - rate (acg_pol_rate_update) and recent_peak (acg_pol_track_peak, cfg->peak_window_s);
 *   - run_peak: the largest usage since its first reading;
 *   - done_s += the time since the last reading when the session was, until now, free or
 *     held with room above its usage, and neither waiting nor frozen (0 at the first);
 *   - it grew when its usage is more than ACG_POL_GROWTH_NOISE above base's (never on the
 *     first reading); HIGH: st->high_last_growth = now when it grew or faulted new pages,
 *     and stalled when it was in reclaim (it is at the budget);
 *   - waiting: held and its tasks wait (a held LOW session in reclaim waits too);
 *   - active_at = now when it grew or waits; usage.
 * held, clamp, frozen and gone are the actuators' (or the reader's) to set. Pure.
 */
void acg_pol_observe(const struct acg_pol_cfg *cfg, struct acg_pol_state *st, size_t i,
		     struct acg_pol_reading *base, const struct acg_pol_obs *o);

/* A LOW session held since its first look that has not run yet: admission holds it at its
 * start (`status` says waiting-start). A session there when a daemon started is never one. */
bool acg_pol_unstarted(const struct acg_pol_session *s);

/*
 * The headroom kept for HIGH in this state (bytes): below it LOW sessions are held. A
 * controller arms its usage wake-up at budget - this. Pure.
 */
double acg_policy_need(const struct acg_pol_cfg *cfg, const struct acg_pol_state *st);

/*
 * Sparse readings, for a host of many sessions: from ACG_POL_SPARSE_FROM sessions on, while
 * the room left (the headroom read this tick, less the room promised to held sessions and
 * the free LOW sessions' growth) is a quarter of the budget beyond what HIGH needs and no
 * HIGH session is stalled, a free LOW session under way is read once in
 * ACG_POL_SPARSE_EVERY ticks (in turn: each skips ACG_POL_SPARSE_EVERY - 1 ticks, staggered
 * from its first reading) instead of every tick. Then the policy can take no action that
 * uses such a session's reading (no hold, no kill: only admission of new sessions, and room
 * for or release of held ones). HIGH sessions, held or frozen ones, one held or frozen at its
 * last reading (just released), new ones (one reading, or no work yet) are read every tick,
 * first, and the room is judged on those readings. With 1000 sessions (900 LOW, free) a tick
 * reads about 212 instead of 1000.
 */
#define ACG_POL_SPARSE_FROM 200
#define ACG_POL_SPARSE_EVERY 8

/*
 * One look at every session at st->now: look(arg, i) is called for each session to be read
 * (it reads the session and takes the reading through acg_pol_observe, or marks it gone),
 * the ones that must be read first, then the others unless readings are sparse (above) and
 * it is not their turn. Sessions gone are skipped. The controller and the simulator both
 * look through it. Returns whether this look was sparse.
 */
bool acg_pol_look(const struct acg_pol_cfg *cfg, struct acg_pol_state *st,
		  void (*look)(void *arg, size_t i), void *arg);

/*
 * Decide. Writes at most max actions to out and returns how many (0: nothing to change).
 * Pure: reads only its arguments.
 */
size_t acg_policy_decide(const struct acg_pol_cfg *cfg, const struct acg_pol_state *st,
			 struct acg_action *out, size_t max);

#endif
