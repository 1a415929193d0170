// SPDX-License-Identifier: GPL-2.0
/*
 * policy.c: the priority policy (model and worked example in policy.h). No I/O, no
 * clock: everything comes in through acg_pol_state.
 *
 * Its size (about 700 lines): the one estimator and the one decide(), each rule a small
 * function, kept together so the whole policy reads in one place beside its model comment.
 */
#include "policy.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define MiB (1024.0 * 1024.0)
/* a clamp is only moved by at least this much: no flapping on noise */
#define MIN_STEP (UINT64_C(1) << 20)
/* room is handed out in steps of at least this: the replay's allocation chunk */
#define GRANT_STEP (UINT64_C(4) << 20)
/* a session this far below its recent peak and not growing is done with its burst */
#define BURST_OVER (UINT64_C(16) << 20)
/* how long a session pushed out to swap may take to leave before the last resort acts again */
#define SWAP_SETTLE_S 2.0
/* a stuck kill frees at least this part of what the largest LOW session holds: one that
 * frees only a grant's worth leaves the rest stuck, and the next kill follows a second on */
#define KILL_ROOM_PART 0.5

void acg_pol_cfg_default(struct acg_pol_cfg *c, uint64_t budget)
{
	uint64_t reserve = budget / 20;

	if (reserve < (UINT64_C(32) << 20))
		reserve = UINT64_C(32) << 20;
	*c = (struct acg_pol_cfg){
		.reserve = reserve,
		.hysteresis = reserve / 2,
		.held_reserve = reserve / 4,
		.horizon_s = 0.1,
		.low_horizon_s = 0.1,
		.quiet_s = 0.5,
		.peak_window_s = 2.0,
		.claim_decay_s = 0.5,
		.freeze_slack = UINT64_C(16) << 20,
		.kill_cooldown_s = 1.0,
		.kill_high_cooldown_s = 0.25,
		.idle_s = 0.2,
		.low_nice = 19,
		.grant_high_rate = INFINITY,
		.wait_freeze_s = INFINITY,
		.can_freeze = true,
		.low_growth = ACG_POL_LOW_GROWTH,
		.high_growth = ACG_POL_HIGH_GROWTH,
	};
}

const char *acg_prio_name(enum acg_prio p)
{
	return acg_prio_is_high(p) ? "high" : "low";
}

int acg_prio_parse(const char *name, enum acg_prio *ret)
{
	if (strcmp(name, "high") == 0)
		*ret = ACG_PRIO_HIGH;
	else if (strcmp(name, "low") == 0)
		*ret = ACG_PRIO_LOW;
	else
		return -EINVAL;
	return 0;
}

int acg_prio_from_cgroup(const char *cgname, enum acg_prio *ret)
{
	const char *dash = strchr(cgname, '-');
	char cls[8];

	/* "<class>-<name>", the name not empty */
	if (!dash || !dash[1] || (size_t)(dash - cgname) >= sizeof(cls))
		return -EINVAL;
	memcpy(cls, cgname, (size_t)(dash - cgname));
	cls[dash - cgname] = '\0';
	return acg_prio_parse(cls, ret);
}

const char *acg_act_name(enum acg_act_kind k)
{
	static const char *const names[] = {"hold", "raise", "release", "freeze",
					    "thaw", "kill",  "swap-out"};

	return k <= ACG_ACT_SWAP_OUT ? names[k] : "?";
}

struct out {
	struct acg_action *a;
	size_t n, max;
	/* the LOW sessions in queue order, and each session's place in it; q NULL (no memory
	 * for it): every step scans the sessions */
	size_t *q, *pos, nq;
};

static struct acg_action *add(struct out *o, size_t session, enum acg_act_kind kind, uint64_t value)
{
	struct acg_action *a;

	if (o->n >= o->max)
		return NULL;
	a = &o->a[o->n++];
	a->session = session;
	a->kind = kind;
	a->value = value;
	a->reason[0] = '\0';
	return a;
}

/* Whether an action this tick (in o so far) already moves session i. */
static bool acted(const struct out *o, size_t i)
{
	for (size_t k = 0; k < o->n; k++)
		if (o->a[k].session == i)
			return true;
	return false;
}

static bool is_low(const struct acg_pol_session *s)
{
	return !s->gone && !acg_prio_is_high(s->prio);
}

/*
 * Whether LOW session s (index i) is a better victim than b (index v) for a room of room
 * bytes. A kill: of the lowest priority class, the one whose loss (done_s, the work a kill
 * throws away) is smallest among those whose memory makes the room (usage at least room);
 * then the larger, then the most recently started; when none alone makes it, the largest
 * (it comes closest; the next kill, kill_cooldown_s later, does the rest). A swap-out loses
 * no work, so the choice is who waits: of those whose memory makes the room, the last in
 * the queue (lowest priority, latest started); when none alone makes it, the largest.
 */
static bool better_victim(const struct acg_pol_session *s, size_t i,
			  const struct acg_pol_session *b, size_t v, double room, bool swap)
{
	bool fits = (double)s->usage >= room, bfits = (double)b->usage >= room;

	if (!swap && s->prio != b->prio)
		return s->prio > b->prio;
	if (fits != bfits)
		return fits;
	if (swap && fits)
		return s->prio != b->prio		? s->prio > b->prio
		       : s->started_at != b->started_at ? s->started_at > b->started_at
							: i > v;
	if (!swap && fits && s->done_s != b->done_s)
		return s->done_s < b->done_s;
	if (s->usage != b->usage)
		return s->usage > b->usage;
	return !swap && s->started_at > b->started_at;
}

/*
 * The session a kill (swap false) or a swap-out (swap true: holding more than a grant,
 * that the free swap holds, and small enough to come back alone) takes, by
 * better_victim(), of those not pushed out already and not acted on this tick (o).
 * SIZE_MAX: none.
 */
static size_t victim(const struct acg_pol_cfg *c, const struct acg_pol_state *st, double room,
		     bool swap, const struct out *o)
{
	size_t v = SIZE_MAX;

	for (size_t i = 0; i < st->n; i++) {
		const struct acg_pol_session *s = &st->s[i];

		/* one already pushed out frees nothing more; one this tick already moves is
		 * not taken too */
		if (!is_low(s) || s->swapped || acted(o, i))
			continue;
		/* pushed out, it must be able to come back alone: else it waits for good */
		if (swap && (s->usage <= GRANT_STEP || s->usage + GRANT_STEP > st->swap_free ||
			     (double)s->usage + 2.0 * (double)c->reserve > (double)st->budget))
			continue;
		if (v == SIZE_MAX || better_victim(s, i, &st->s[v], v, room, swap))
			v = i;
	}
	return v;
}

/* Queue order of LOW sessions: higher priority first, then earliest started, then index. */
static bool before(const struct acg_pol_state *st, size_t a, size_t b)
{
	const struct acg_pol_session *x = &st->s[a], *y = &st->s[b];

	if (x->prio != y->prio)
		return x->prio < y->prio;
	if (x->started_at != y->started_at)
		return x->started_at < y->started_at;
	return a < b;
}

static int queue_cmp(const void *a, const void *b, void *arg)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return before(arg, x, y) ? -1 : before(arg, y, x) ? 1 : 0;
}

/* The queue, sorted once per decision (a step through it was a scan of every session:
 * n^2 per walk, most of a tick's time with 1000 sessions). */
static void queue_sort(const struct acg_pol_state *st, struct out *o)
{
	o->q = malloc(2 * (st->n ? st->n : 1) * sizeof(*o->q));
	if (!o->q)
		return;
	o->pos = o->q + (st->n ? st->n : 1);
	o->nq = 0;
	for (size_t k = 0; k < st->n; k++)
		if (is_low(&st->s[k]))
			o->q[o->nq++] = k;
	qsort_r(o->q, o->nq, sizeof(*o->q), queue_cmp, (void *)st);
	for (size_t p = 0; p < o->nq; p++)
		o->pos[o->q[p]] = p;
}

/* Without the sorted queue: the LOW session after (or before) i, by a scan. */
static size_t scan_queue(const struct acg_pol_state *st, size_t i, bool forward)
{
	size_t best = SIZE_MAX;

	for (size_t k = 0; k < st->n; k++) {
		if (!is_low(&st->s[k]) || k == i)
			continue;
		if (i != SIZE_MAX && before(st, i, k) != forward)
			continue;
		if (best == SIZE_MAX || before(st, k, best) == forward)
			best = k;
	}
	return best;
}

/*
 * The LOW session after i in the queue (forward) or before it; i = SIZE_MAX starts from the
 * front (or the back). SIZE_MAX: none.
 */
static size_t step_queue(const struct acg_pol_state *st, const struct out *o, size_t i,
			 bool forward)
{
	size_t p;

	if (!o->q)
		return scan_queue(st, i, forward);
	if (i == SIZE_MAX)
		return !o->nq ? SIZE_MAX : forward ? o->q[0] : o->q[o->nq - 1];
	p = o->pos[i];
	if (forward)
		return p + 1 < o->nq ? o->q[p + 1] : SIZE_MAX;
	return p ? o->q[p - 1] : SIZE_MAX;
}

/* What a free session's growth would take over the horizon. */
static double growth(const struct acg_pol_cfg *c, const struct acg_pol_session *s)
{
	return s->held || s->rate <= 0 ? 0 : s->rate * c->low_horizon_s;
}

/* Room promised to a held session: its clamp above its usage. */
static double promise(const struct acg_pol_session *s)
{
	return s->held && s->clamp > s->usage ? (double)(s->clamp - s->usage) : 0;
}

bool acg_pol_unstarted(const struct acg_pol_session *s)
{
	return is_low(s) && s->held && s->done_s <= 0 && !s->adopted;
}

/* A LOW session seen for the first time this tick, not yet acted on. */
static bool arriving(const struct acg_pol_state *st, const struct acg_pol_session *s)
{
	return is_low(s) && !s->held && s->started_at >= st->now && s->done_s <= 0 && !s->adopted;
}

/*
 * The most session s is expected to hold: what it declared (expected_peak), else what it
 * is expected to reach from its start (prior_peak, the profile's growth), and never less
 * than it holds or than seen, the most it was seen to hold: for LOW its run peak; for HIGH
 * its recent peak, as a HIGH session lives long and a peak of long ago kept for all its
 * life held every new LOW session back with the memory free (as ahead() says of the
 * look-ahead).
 */
static double expect(const struct acg_pol_session *s, uint64_t seen)
{
	double most = fmax((double)s->usage, (double)seen);

	return fmax(most, s->expected_peak ? (double)s->expected_peak : (double)s->prior_peak);
}

/*
 * Whether LOW session i may start (be given its first room): HIGH at the most it is
 * expected to hold (with its recent peak and the reserve), the LOW sessions under way at
 * the most they are expected to hold (with those admitted earlier in this decision: they
 * add extra beyond what they hold), the ones still waiting at their start at what they
 * hold, and i at what it is expected to reach, fit the budget together (*total: their sum).
 * LOW sessions under way that cannot all be at their peaks at once are how a burst leaves
 * every LOW session held with nothing to give back: the policy's kills (on the tune split,
 * `agentcg evaluate --mixes 600 --seed 2`: mixes lost where a robust no-kill schedule
 * exists went from 181 to 44 of 480). With no HIGH session and no LOW one under way, the
 * first one always may.
 */
static bool may_start(const struct acg_pol_cfg *c, const struct acg_pol_state *st, size_t i,
		      size_t admitted, double extra, double *total)
{
	double sum = (double)c->reserve + extra;
	bool others = admitted > 0;

	for (size_t k = 0; k < st->n; k++) {
		const struct acg_pol_session *s = &st->s[k];

		if (s->gone)
			continue;
		if (acg_prio_is_high(s->prio)) {
			sum += expect(s, s->recent_peak);
			others = true;
		} else if (k != i && (acg_pol_unstarted(s) || arriving(st, s))) {
			sum += (double)s->usage;
		} else {
			sum += expect(s, s->run_peak);
			others = others || k != i;
		}
	}
	if (total)
		*total = sum;
	return !others || sum <= (double)st->budget;
}

/*
 * Admission: LOW sessions arriving this tick start in queue order while the room left
 * beyond HIGH's need (the room promised to held sessions, the free ones' growth and what
 * the ones admitted before it are expected to grow by taken) holds what the session
 * declares it will use (its expected_peak, if any), every session's expected peak fits
 * the budget with it (may_start), and nothing ahead of it in the queue waits for room (held
 * and waiting, frozen, or held at its start). The first that may not start is held at its
 * start (its baseline), and every one behind it too: they wait their turn in the queue,
 * where hand_back() gives them room, instead of starting and dying half-way. Sessions that
 * fit together start together: holding one back while the one ahead grew (as the policy
 * did before) cost LOW time where the room was there for both (tune split, `agentcg
 * evaluate`, seeds 1-3: LOW against the oracle, median 1.70-1.77 -> 1.51-1.60, and fewer
 * kills: 52 -> 48, 161 -> 157, 139 -> 129).
 */
static void admit(const struct acg_pol_cfg *c, const struct acg_pol_state *st, double left,
		  double need, struct out *o)
{
	bool busy = false, fits = true;
	size_t admitted = 0;
	double extra = 0, total = 0;

	for (size_t i = step_queue(st, o, SIZE_MAX, true); i != SIZE_MAX;
	     i = step_queue(st, o, i, true)) {
		const struct acg_pol_session *s = &st->s[i];
		double own =
			s->expected_peak > s->usage ? (double)(s->expected_peak - s->usage) : 0;
		struct acg_action *a;

		if (!arriving(st, s)) {
			busy = busy ||
			       (s->held && (s->waiting || s->frozen || acg_pol_unstarted(s)));
			continue;
		}
		if (!busy && left - own >= need &&
		    (fits = may_start(c, st, i, admitted, extra, &total))) {
			/* what it is expected to grow by (its declaration included: expect()
			 * is at least expected_peak), taken from the room and the sum */
			double more = expect(s, s->run_peak) - (double)s->usage;

			admitted++;
			extra += more;
			left -= more;
			continue;
		}
		a = add(o, i, ACG_ACT_HOLD, s->usage);
		if (a && busy)
			snprintf(a->reason, sizeof(a->reason),
				 "waits at its start: a session ahead of it in the queue waits "
				 "for room");
		else if (a && !fits)
			snprintf(a->reason, sizeof(a->reason),
				 "waits at its start: the sessions' expected peaks with it, %.0f "
				 "MiB, over the %.0f MiB budget",
				 total / MiB, (double)st->budget / MiB);
		else if (a)
			snprintf(a->reason, sizeof(a->reason),
				 "waits at its start: %.0f MiB left beside the %.0f MiB kept for "
				 "HIGH, %.0f MiB declared",
				 left / MiB, need / MiB, own / MiB);
		busy = true;
	}
}

static void hold_all(const struct acg_pol_state *st, double h, double need, bool stalled,
		     struct out *o)
{
	for (size_t i = 0; i < st->n; i++) {
		const struct acg_pol_session *s = &st->s[i];
		struct acg_action *a;

		/* hold the free ones; tighten a clamp that was raised above usage */
		if (!is_low(s) || (s->held && s->clamp <= s->usage + MIN_STEP))
			continue;
		a = add(o, i, ACG_ACT_HOLD, s->usage);
		if (a && h >= need && stalled)
			snprintf(a->reason, sizeof(a->reason),
				 "HIGH stalled in memcg reclaim (BPF), headroom %.0f MiB", h / MiB);
		else if (a)
			snprintf(a->reason, sizeof(a->reason),
				 "headroom %.0f MiB < %.0f MiB kept for HIGH", h / MiB, need / MiB);
	}
}

/*
 * The free LOW sessions would grow past what HIGH needs: hold them from the back of the
 * queue until the rest fits, but never the first growing one (it has the room).
 */
static void hold_later(const struct acg_pol_cfg *c, const struct acg_pol_state *st, double left,
		       double need, struct out *o)
{
	size_t first = st->n;

	for (size_t i = step_queue(st, o, SIZE_MAX, true); i != SIZE_MAX && first == st->n;
	     i = step_queue(st, o, i, true))
		if (growth(c, &st->s[i]) > 0)
			first = i;
	for (size_t i = step_queue(st, o, SIZE_MAX, false);
	     i != SIZE_MAX && i != first && left < need; i = step_queue(st, o, i, false)) {
		struct acg_action *a;

		if (growth(c, &st->s[i]) <= 0)
			continue;
		a = add(o, i, ACG_ACT_HOLD, st->s[i].usage);
		/* left < need here: the free sessions' growth would eat need - left of it */
		if (a)
			snprintf(
				a->reason, sizeof(a->reason),
				"growing at %.0f MiB/s, %.0f MiB over what HIGH needs: the room goes "
				"to the session ahead of it in the queue",
				st->s[i].rate / MiB, (need - left) / MiB);
		left += growth(c, &st->s[i]);
	}
}

static void release_all(const struct acg_pol_state *st, double h, double left, bool high,
			struct out *o)
{
	for (size_t i = step_queue(st, o, SIZE_MAX, true); i != SIZE_MAX;
	     i = step_queue(st, o, i, true)) {
		const struct acg_pol_session *s = &st->s[i];
		struct acg_action *a;

		/* one that waits at its start gets room in its queue turn (hand_back) */
		if (!s->held || acg_pol_unstarted(s))
			continue;
		/* one pushed out to swap comes back (its memory faulted in again) only while
		 * the room beyond the need holds it, in queue order: else it would be pushed out
		 * again at once */
		if (s->swapped) {
			if (left < (double)s->swapped_bytes)
				continue;
			left -= (double)s->swapped_bytes;
		}
		a = add(o, i, ACG_ACT_RELEASE, 0);
		if (a && !high)
			snprintf(a->reason, sizeof(a->reason), "no HIGH session left");
		else if (a)
			snprintf(a->reason, sizeof(a->reason),
				 "HIGH quiet for %.1f s, headroom %.0f MiB",
				 st->now - st->high_last_growth, h / MiB);
		if (a && s->frozen)
			add(o, i, ACG_ACT_THAW, 0);
	}
}

/*
 * The part of a held session's promised room it keeps when another session waits: all of
 * it while it grows into it (a burst under way keeps its room), none once it is idle or
 * shrinking (its burst is over).
 */
static double kept(const struct acg_pol_cfg *c, const struct acg_pol_state *st,
		   const struct acg_pol_session *s)
{
	bool over = s->rate <= 0 && s->recent_peak > s->usage + BURST_OVER;

	if (over || (!s->waiting && st->now - s->active_at >= c->idle_s))
		return 0;
	return promise(s);
}

/*
 * Hand room to the first held session in the queue whose tasks wait: what the headroom
 * holds beyond HIGH's need, the free sessions' growth and the room other held sessions are
 * growing into. Promised room that another session does not need (it is idle, or grows
 * slowly) is taken back for it. One burst at a time finishes, where an even split could
 * leave every session stuck half-way.
 */
static void hand_back(const struct acg_pol_cfg *c, const struct acg_pol_state *st, double h,
		      double need, bool releasing, struct out *o)
{
	double avail = h - need - (double)GRANT_STEP, to, high_rate = 0;
	size_t g = SIZE_MAX;
	const struct acg_pol_session *gs;
	struct acg_action *a;

	/* HIGH in a burst: where it ends is unknown, so no room is handed out meanwhile */
	for (size_t i = 0; i < st->n; i++)
		if (!st->s[i].gone && acg_prio_is_high(st->s[i].prio) && st->s[i].rate > 0)
			high_rate += st->s[i].rate;
	if (high_rate > c->grant_high_rate)
		return;
	/* a frozen session waits too (it was frozen waiting, or creeping past its clamp); one
	 * pushed out to swap only once the headroom beyond the need holds what it pushed out */
	for (size_t i = step_queue(st, o, SIZE_MAX, true); i != SIZE_MAX;
	     i = step_queue(st, o, i, true))
		if ((releasing ? acg_pol_unstarted(&st->s[i]) || st->s[i].swapped
			       : st->s[i].held && (st->s[i].waiting || st->s[i].frozen)) &&
		    (!st->s[i].swapped || (double)st->s[i].swapped_bytes <= avail) &&
		    !acted(o, i)) {
			g = i;
			break;
		}
	/* releasing: the first that has not run yet is served, and only once it waits (the
	 * room it was given is used up); the ones behind it wait their turn */
	if (g == SIZE_MAX || !(st->s[g].waiting || st->s[g].frozen))
		return;
	/* one that has not run yet starts only beside what is under way */
	if (acg_pol_unstarted(&st->s[g]) && !may_start(c, st, g, 0, 0, NULL))
		return;
	/* nor while another LOW session is still growing: its burst goes first */
	for (size_t i = 0; i < st->n && releasing; i++)
		if (i != g && is_low(&st->s[i]) && st->s[i].rate > 0 &&
		    st->now - st->s[i].active_at < c->idle_s)
			return;
	gs = &st->s[g];
	for (size_t i = 0; i < st->n; i++) {
		const struct acg_pol_session *s = &st->s[i];

		if (i == g || !is_low(s))
			continue;
		if (!s->held)
			avail -= growth(c, s);
		else if (promise(s) - kept(c, st, s) < (double)MIN_STEP)
			avail -= promise(s);
		else
			avail -= kept(c, st, s);
	}
	/* the headroom already counts the room promised to it; one pushed out comes back
	 * only with room for what it pushed out */
	to = (double)gs->usage + avail;
	if (to < (double)gs->clamp + (double)GRANT_STEP ||
	    (gs->swapped && to < (double)gs->usage + (double)gs->swapped_bytes))
		return;
	for (size_t i = 0; i < st->n; i++) {
		const struct acg_pol_session *s = &st->s[i];
		double k;

		if (i == g || !is_low(s) || !s->held || releasing)
			continue;
		k = kept(c, st, s);
		if (promise(s) - k < (double)MIN_STEP)
			continue;
		a = add(o, i, ACG_ACT_HOLD, s->usage + (uint64_t)k);
		if (a)
			snprintf(a->reason, sizeof(a->reason),
				 "%.0f MiB of its room unused (%s): it goes to a waiting session",
				 (promise(s) - k) / MiB, s->rate < 0 ? "shrinking" : "idle");
	}
	a = add(o, g, ACG_ACT_RAISE, (uint64_t)to);
	if (a)
		snprintf(a->reason, sizeof(a->reason),
			 "headroom %.0f MiB: %.0f MiB more room for the first waiting session",
			 h / MiB, (to - (double)gs->clamp) / MiB);
	if (a && gs->frozen)
		add(o, g, ACG_ACT_THAW, 0);
}

static void freeze_creepers(const struct acg_pol_cfg *c, const struct acg_pol_state *st,
			    struct out *o)
{
	for (size_t i = 0; i < st->n && c->can_freeze; i++) {
		const struct acg_pol_session *s = &st->s[i];
		struct acg_action *a;

		if (!is_low(s) || !s->held || s->frozen || s->usage <= s->clamp + c->freeze_slack)
			continue;
		a = add(o, i, ACG_ACT_FREEZE, 0);
		if (a)
			snprintf(a->reason, sizeof(a->reason), "%.0f MiB above its clamp",
				 (double)(s->usage - s->clamp) / MiB);
	}
}

/*
 * Whether nothing can move without a kill: every LOW session held and its tasks waiting at
 * its clamp (or frozen), and held LOW sessions alone fill the budget: even with all of
 * HIGH's memory back, and nothing kept for HIGH's growth or its recent peak, there would
 * not be a grant's worth of room beyond the held reserve, the room promised to held
 * sessions counted. No LOW session can then grow or finish, none gives memory back by
 * itself, and nothing HIGH frees can change that. (Room HIGH holds or may claim again is
 * not a reason to kill: it comes back when HIGH shrinks or ends, and LOW waits for it.)
 */
static bool stuck(const struct acg_pol_cfg *c, const struct acg_pol_state *st, double *room)
{
	double promised = 0, low_usage = 0, low_max = 0;
	size_t low = 0;

	for (size_t i = 0; i < st->n; i++) {
		const struct acg_pol_session *s = &st->s[i];

		if (!is_low(s))
			continue;
		/* one with room promised above its usage can still grow: its wait was at the
		 * clamp before it was raised (v2 memory.events high read a tick late: the only
		 * LOW session, just given 268 MiB, was killed as stuck in the VM) */
		if (!s->held || !(s->frozen || (s->waiting && promise(s) < (double)GRANT_STEP)))
			return false;
		low++;
		/* one pushed out is leaving: what it still holds is room on its way */
		low_usage += s->swapped ? 0 : (double)s->usage;
		low_max = fmax(low_max, s->swapped ? 0 : (double)s->usage);
		promised += promise(s);
	}
	/* hand_back() raises the first one only by a grant step, after one of margin; *room:
	 * what a kill must give back for that */
	*room = 2.0 * (double)GRANT_STEP -
		((double)st->budget - low_usage - (double)c->held_reserve - promised);
	if (*room > 0)
		*room = fmax(*room, KILL_ROOM_PART * low_max);
	return low && *room > 0;
}

/*
 * Freeze held sessions whose tasks have waited at their clamp longer than wait_freeze_s,
 * but none this tick's actions already move (given room, released, killed).
 */
static void freeze_waiters(const struct acg_pol_cfg *c, const struct acg_pol_state *st,
			   struct out *o)
{
	size_t before = o->n;

	for (size_t i = 0; i < st->n && c->can_freeze; i++) {
		const struct acg_pol_session *s = &st->s[i];
		struct acg_action *a;
		bool moved = false;

		if (!is_low(s) || !s->held || s->frozen || !s->waiting ||
		    !(s->waited_s > c->wait_freeze_s))
			continue;
		for (size_t k = 0; k < before; k++)
			moved = moved || o->a[k].session == i;
		if (moved)
			continue;
		a = add(o, i, ACG_ACT_FREEZE, 0);
		if (a)
			snprintf(a->reason, sizeof(a->reason),
				 "waited at its clamp for %.1f s (more than %.1f s): frozen, no "
				 "longer reclaiming",
				 s->waited_s, c->wait_freeze_s);
	}
}

bool acg_pol_rate_update(struct acg_pol_session *s, struct acg_pol_reading *base, uint64_t usage,
			 double now)
{
	if (isnan(base->t)) {
		s->rate = 0;
	} else if (now - base->t >= ACG_POL_RATE_MIN_DT_S) {
		double r = ((double)usage - (double)base->usage) / (now - base->t);

		s->rate = 0.5 * s->rate + 0.5 * r;
	} else {
		return false; /* too close to rate: a charge batch, not growth */
	}
	base->t = now;
	base->usage = usage;
	return true;
}

void acg_pol_track_peak(struct acg_pol_session *s, uint64_t usage, double now, double window)
{
	if (usage >= s->recent_peak || now - s->peak_t > window) {
		s->recent_peak = usage;
		s->peak_t = now;
	}
}

void acg_pol_observe(const struct acg_pol_cfg *cfg, struct acg_pol_state *st, size_t i,
		     struct acg_pol_reading *base, const struct acg_pol_obs *o)
{
	struct acg_pol_session *s = &st->s[i];
	bool first = isnan(base->t), high = acg_prio_is_high(s->prio);
	/* grown since the reading the rate is measured from (not noise) */
	bool grew = !first && o->usage > base->usage + ACG_POL_GROWTH_NOISE;

	if (first) {
		s->started_at = st->now;
		s->done_s = 0;
		/* a guess, never more than a third of the budget: on a host whose sessions are
		 * small beside the profile's, it would have one session's guess fill the budget
		 * and every LOW one wait for HIGH to end (on the tune split the cap costs 1-2
		 * mixes in 165-480; at half the budget it never bound there) */
		s->prior_peak = o->usage +
				(uint64_t)fmin((double)(high ? cfg->high_growth : cfg->low_growth),
					       (double)st->budget / 3);
	} else if (!s->frozen && !s->waiting && s->seen_at > 0 && st->now > s->seen_at &&
		   (!s->held || s->clamp > s->usage + ACG_POL_GROWTH_NOISE)) {
		/* free since the last look (as it was then), or held with room to grow: it
		 * worked; held at its size (at its start, say) it did not */
		s->done_s += st->now - s->seen_at;
	}
	s->seen_at = st->now;
	s->read_held = s->held || s->frozen;
	/* sparse readings' turns (acg_pol_look) staggered from the first reading, so that they
	 * spread over the looks, whatever the sessions' order later */
	if (first)
		s->skips_left = (unsigned)(i % ACG_POL_SPARSE_EVERY);
	if (first || o->usage > s->run_peak)
		s->run_peak = o->usage;
	acg_pol_rate_update(s, base, o->usage, st->now);
	if (high && (grew || o->faults))
		st->high_last_growth = st->now;
	acg_pol_track_peak(s, o->usage, st->now, cfg->peak_window_s);
	s->stalled = high && o->reclaim;
	s->waiting = s->held && (o->waiting || (!high && o->reclaim));
	if (s->waiting || grew)
		s->active_at = st->now;
	s->usage = o->usage;
	/* a stretch of waiting at the clamp: it ends when the session is released or given room
	 * (its clamp raised), or has neither waited nor grown for ACG_POL_WAIT_GAP_S */
	if (!s->held || s->clamp > s->wait_clamp ||
	    (!s->waiting && st->now - s->active_at >= ACG_POL_WAIT_GAP_S))
		s->in_wait = false;
	if (s->waiting && !s->in_wait) {
		s->in_wait = true;
		s->wait_since = st->now;
		s->wait_clamp = s->clamp;
	}
	s->waited_s = s->in_wait ? st->now - s->wait_since : 0;
}

/* Room for HIGH's recent peak, decaying linearly to nothing over the window. */
static double claim(const struct acg_pol_cfg *c, const struct acg_pol_state *st,
		    const struct acg_pol_session *s)
{
	double age = st->now - s->peak_t,
	       left = c->claim_decay_s > 0 ? 1 - age / c->claim_decay_s : 0;

	if (s->recent_peak <= s->usage || left <= 0)
		return 0;
	return (double)(s->recent_peak - s->usage) * fmin(left, 1);
}

/*
 * Room for the burst HIGH is expected to make: up to its expected peak (declared, or from a
 * profile). Not up to the most it held in this run (run_peak): kept for as long as HIGH
 * runs, that room cost LOW more than it saved: on the tune split (agentcg evaluate, seed 1)
 * it took kills from 150 to 132 but work lost from 124.8 to 135.7 s, LOW/oracle p90 from
 * 7.24 to 8.62, and robust mixes lost only from 56 to 55; its recent peak is claimed, and
 * that claim decays (claim()).
 */
static double ahead(const struct acg_pol_session *s)
{
	return s->expected_peak > s->usage ? (double)(s->expected_peak - s->usage) : 0;
}

double acg_policy_need(const struct acg_pol_cfg *c, const struct acg_pol_state *st)
{
	double high_rate = 0, claimed = 0;
	size_t low = 0, held = 0;

	for (size_t i = 0; i < st->n; i++) {
		const struct acg_pol_session *s = &st->s[i];

		if (s->gone)
			continue;
		if (acg_prio_is_high(s->prio)) {
			high_rate += s->rate > 0 ? s->rate : 0;
			/* its recent peak may come back; its expected one is ahead */
			claimed += fmax(claim(c, st, s), ahead(s));
		} else {
			low++;
			held += s->held;
		}
	}
	/* once every LOW session is held none can race HIGH for the headroom: less is kept */
	return (double)(low && held == low ? c->held_reserve : c->reserve) +
	       high_rate * c->horizon_s + claimed;
}

/* Whether a look may leave session s unread (sparse readings, policy.h): a free LOW one
 * under way, free at its last reading too */
static bool skippable(const struct acg_pol_session *s)
{
	return is_low(s) && !s->held && !s->frozen && !s->read_held && s->seen_at > s->started_at;
}

/* Whether this look's readings may be sparse, the must-read sessions read (policy.h). */
static bool sparse(const struct acg_pol_cfg *c, const struct acg_pol_state *st)
{
	double h = st->budget > st->usage ? (double)(st->budget - st->usage) : 0;

	if (st->n < ACG_POL_SPARSE_FROM)
		return false;
	for (size_t i = 0; i < st->n; i++) {
		const struct acg_pol_session *s = &st->s[i];

		if (s->gone)
			continue;
		if (acg_prio_is_high(s->prio) && s->stalled)
			return false;
		if (!acg_prio_is_high(s->prio))
			h -= promise(s) + growth(c, s);
	}
	return h - acg_policy_need(c, st) >= (double)st->budget / 4;
}

bool acg_pol_look(const struct acg_pol_cfg *c, struct acg_pol_state *st,
		  void (*look)(void *arg, size_t i), void *arg)
{
	bool few;

	for (size_t i = 0; i < st->n; i++)
		if (!st->s[i].gone && !skippable(&st->s[i]))
			look(arg, i);
	few = sparse(c, st);
	for (size_t i = 0; i < st->n; i++) {
		struct acg_pol_session *s = &st->s[i];

		/* gone, or read in the first pass */
		if (s->gone || s->seen_at == st->now)
			continue;
		if (few && s->skips_left > 0) {
			s->skips_left--;
		} else {
			look(arg, i);
			s->skips_left = ACG_POL_SPARSE_EVERY - 1;
		}
	}
	return few;
}

size_t acg_policy_decide(const struct acg_pol_cfg *c, const struct acg_pol_state *st,
			 struct acg_action *out, size_t max)
{
	struct out o = {out, 0, max, NULL, NULL, 0};
	double h = st->budget > st->usage ? (double)(st->budget - st->usage) : 0;
	double promised = 0, grow = 0, need = acg_policy_need(c, st), left, room = 0, need_free;
	size_t low = 0, held = 0, high = 0;
	bool stalled = false, settling = false;

	queue_sort(st, &o);
	for (size_t i = 0; i < st->n; i++) {
		const struct acg_pol_session *s = &st->s[i];

		if (s->gone)
			continue;
		if (acg_prio_is_high(s->prio)) {
			high++;
			stalled = stalled || s->stalled;
			continue;
		}
		low++;
		held += s->held;
		promised += promise(s);
		grow += growth(c, s);
	}
	/* what is left once the room promised to held sessions and free growth are taken */
	left = h - promised - grow;
	/* the need once they are free again: the full reserve, not the smaller one kept while
	 * every LOW is held (releasing on the smaller one held them again at once, every tick) */
	need_free = need + (low && held == low ? (double)c->reserve - (double)c->held_reserve : 0);

	if (h < need || stalled) {
		hold_all(st, h, need, stalled, &o);
		/* only while holding: a session given room back this tick is not frozen */
		freeze_creepers(c, st, &o);
	} else if (held && h > need_free + (double)c->hysteresis &&
		   (!high || st->now - st->high_last_growth >= c->quiet_s)) {
		release_all(st, h, h - need_free, high, &o);
		/* and the first session waiting at its start gets room in its turn */
		hand_back(c, st, h, need, true, &o);
	} else {
		admit(c, st, left, need, &o);
		if (left < need)
			hold_later(c, st, left, need, &o);
		if (held)
			hand_back(c, st, h, need, false, &o);
	}

	/* the last resort: every LOW held and the parent still at its limit, or held LOW
	 * sessions alone fill the budget and wait there: nothing else can make room. Not while
	 * a session pushed out is still leaving (the kernel reclaims it in the background, up
	 * to SWAP_SETTLE_S): its memory is the room */
	for (size_t i = 0; i < st->n; i++)
		settling = settling ||
			   (is_low(&st->s[i]) && st->s[i].swapped && st->s[i].usage > GRANT_STEP &&
			    st->now - st->last_swap < SWAP_SETTLE_S);
	if (low && held == low && !settling &&
	    ((st->parent_waiting && st->now - st->last_kill >= c->kill_high_cooldown_s) ||
	     (st->now - st->last_kill >= c->kill_cooldown_s && stuck(c, st, &room)))) {
		size_t v;
		struct acg_action *a;
		const char *why = st->parent_waiting ? "every LOW held, the parent at its limit"
						     : "held LOW alone fill the budget";

		/* at the parent's limit: what HIGH is short of, at least a grant's worth */
		if (st->parent_waiting)
			room = fmax(need - h, 2.0 * (double)GRANT_STEP);
		v = victim(c, st, room, true, &o);
		a = v == SIZE_MAX ? NULL : add(&o, v, ACG_ACT_SWAP_OUT, st->s[v].usage);
		if (a)
			snprintf(a->reason, sizeof(a->reason),
				 "%s: %.0f MiB short; pushed out to swap (%.0f MiB free), not "
				 "killed",
				 why, room / MiB, (double)st->swap_free / MiB);
		v = a ? SIZE_MAX : victim(c, st, room, false, &o);
		a = v == SIZE_MAX ? NULL : add(&o, v, ACG_ACT_KILL, 0);
		if (a)
			snprintf(a->reason, sizeof(a->reason),
				 "%s: %.0f MiB short; least work lost (%.1f s) of those that free "
				 "it (%.0f MiB)",
				 why, room / MiB, st->s[v].done_s, (double)st->s[v].usage / MiB);
	}
	freeze_waiters(c, st, &o);
	free(o.q);
	return o.n;
}
