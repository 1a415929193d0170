// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_report.c: `agentcg report RESULTS_DIR`: tables and plots from a bench's data files
 * only (runs/<k>/<label>/run.json, timeseries.csv, decisions.jsonl; summary.json for what
 * the bench alone knew: unavailable strategies, simulation, oracle, warm-up). Writes report.md,
 * and report.html with the plots (gnuplot SVG, also PNG) embedded: one page, no links.
 */
#include "cmd.h"
#include "stats.h"

#include "bench.h"
#include "fsutil.h"
#include "jsonfile.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void report_usage(FILE *f)
{
	fprintf(f,
		"Usage: agentcg report RESULTS_DIR [--format md|html|both] [--out DIR]\n"
		"\n"
		"Render a bench's results (agentcg bench --out RESULTS_DIR) from its data files:\n"
		"per strategy, sessions completed and killed, HIGH and LOW completion and slowdown\n"
		"(median, 95%% interval), growth latency, memory.high events, Mann-Whitney tests\n"
		"against none, simulation against the real runs, the oracle; and plots (gnuplot,\n"
		"SVG and PNG) of each session's memory over time per strategy with the budget,\n"
		"holds and kills marked, and of completion times with their intervals.\n"
		"\n"
		"Options:\n"
		"  --format F   md, html or both (default both)\n"
		"  --out DIR    where to write, made with any missing parent (default\n"
		"               RESULTS_DIR/report)\n"
		"  -h, --help   this text\n"
		"\n"
		"Examples:\n"
		"  agentcg report bench/results/pressure\n"
		"  agentcg report /tmp/b --format md --out /tmp/b-report\n"
		"\n"
		"Every runs/<k>/<label>/run.json is checked before anything is drawn: one that is\n"
		"not JSON or lacks a key the report needs (strategy, run, budget_bytes, each\n"
		"session's name, priority and status), or has one of the wrong type, stops the\n"
		"report with one line naming the file and the problem (exit 2). A run directory\n"
		"without run.json (a run the bench did not finish) is left out.\n"
		"\n"
		"Every output is written to a new file and renamed into place: whatever the\n"
		"output directory held at that name (a symlink, a FIFO) is replaced, never written\n"
		"through. The default RESULTS_DIR/report must not be a symbolic link (exit 1).\n");
}

/* A document the report can do without: NULL when absent, unreadable or not JSON. */
static json_t *load_optional(const char *path)
{
	json_t *j;

	return acg_json_read_user(path, ACG_JSON_MAX_FILE, 0, &j, NULL) < 0 ? NULL : j;
}

static int cmp_run_docs(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t rx = json_integer_value(json_object_get(x, "run")),
		   ry = json_integer_value(json_object_get(y, "run"));

	if (rx != ry)
		return rx < ry ? -1 : 1;
	return strcmp(json_string_value(json_object_get(x, "strategy")),
		      json_string_value(json_object_get(y, "strategy")));
}

/*
 * Every runs/<k>/<label>/run.json below dir, sorted by run and strategy. A label without
 * run.json is skipped (a run the bench did not finish); a run.json that is not a run
 * document is an error: one line naming it and the problem, and -EINVAL.
 */
static int load_runs(const char *dir, json_t **ret, size_t *ret_n)
{
	char path[4096];
	struct acg_diag why;
	json_t *docs[4096];
	size_t n = 0;
	DIR *d, *d2;
	struct dirent *e, *e2;
	int r = 0;

	*ret_n = 0;
	*ret = json_array();
	snprintf(path, sizeof(path), "%s/runs", dir);
	d = opendir(path);
	if (!d)
		return 0;
	while (r == 0 && (e = readdir(d)) && n < 4096) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/runs/%s", dir, e->d_name);
		d2 = opendir(path);
		if (!d2)
			continue;
		while ((e2 = readdir(d2)) && n < 4096) {
			json_t *doc;

			if (e2->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/runs/%s/%s/run.json", dir, e->d_name,
				 e2->d_name);
			if (access(path, F_OK) < 0 && errno == ENOENT)
				continue;
			if (acg_json_read_user(path, ACG_JSON_MAX_FILE, 0, &doc, &why) < 0) {
				acg_err("report: %s", why.msg);
				r = -EINVAL;
				break;
			}
			if (acg_bench_run_check(doc, &why) < 0) {
				acg_err("report: %s: not a run document: %s", path, why.msg);
				json_decref(doc);
				r = -EINVAL;
				break;
			}
			docs[n++] = doc;
		}
		closedir(d2);
	}
	closedir(d);
	if (r == 0)
		qsort(docs, n, sizeof(docs[0]), cmp_run_docs);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(*ret, docs[i]);
	*ret_n = n;
	return r;
}

/* The first run of strategy: its run number, or -1. */
static json_int_t first_run(json_t *runs, const char *strategy)
{
	json_t *r;
	size_t i;

	json_array_foreach(runs, i, r)
		if (strcmp(json_string_value(json_object_get(r, "strategy")), strategy) == 0)
			return json_integer_value(json_object_get(r, "run"));
	return -1;
}

static json_t *run_doc(json_t *runs, const char *strategy, json_int_t k)
{
	json_t *r;
	size_t i;

	json_array_foreach(runs, i, r)
		if (strcmp(json_string_value(json_object_get(r, "strategy")), strategy) == 0 &&
		    json_integer_value(json_object_get(r, "run")) == k)
			return r;
	return NULL;
}

/* Is there an executable prog in a directory of PATH (as the shell would find it)? */
static bool on_path(const char *prog)
{
	const char *path = getenv("PATH") ?: "/usr/local/bin:/usr/bin:/bin";
	char file[4096];

	while (*path) {
		size_t n = strcspn(path, ":");

		/* an empty entry is the current directory */
		if (snprintf(file, sizeof(file), "%.*s/%s", (int)n, n ? path : ".", prog) <
			    (int)sizeof(file) &&
		    access(file, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

/*
 * Text from the results directory on its way into a gnuplot script or data file: only
 * [A-Za-z0-9_.,:+=()/-] (and space, with space) pass; everything else (quotes,
 * backslashes, newlines, backquotes, '$', ';' ...) becomes '?', so data is never read as a
 * command whatever a run.json says. Cut to size - 1 bytes; returns buf.
 */
static const char *gp_text(char *buf, size_t size, const char *s, bool space)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
				 "_.,:+=()/-";
	size_t i;

	for (i = 0; s && s[i] && i + 1 < size; i++)
		buf[i] = (strchr(ok, s[i]) || (space && s[i] == ' ')) ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

/*
 * An output file of the report: written to a new temporary file in the output directory
 * and renamed into place when complete (acg_create_tmp_at), so whatever the directory held
 * at that name (a symlink planted to /etc/..., a FIFO) is replaced, never written through.
 */
struct out_file {
	FILE *f;
	char tmp[300], name[256];
};

static FILE *out_open(int outfd, const char *name, struct out_file *o)
{
	int fd = acg_create_tmp_at(outfd, name, 0644, o->tmp, sizeof(o->tmp));

	snprintf(o->name, sizeof(o->name), "%s", name);
	o->f = NULL;
	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	o->f = fdopen(fd, "w");
	if (!o->f) {
		close(fd);
		unlinkat(outfd, o->tmp, 0);
	}
	return o->f;
}

/* Drop o (it could not be written in full): -EIO. */
static int out_abort(int outfd, struct out_file *o)
{
	fclose(o->f);
	unlinkat(outfd, o->tmp, 0);
	return -EIO;
}

/* Close o and put it in place; on any failure it is dropped. 0 or -errno. */
static int out_close(int outfd, struct out_file *o)
{
	int r = ferror(o->f) ? -EIO : 0;

	if (fclose(o->f) != 0 && !r)
		r = -errno;
	if (r) {
		unlinkat(outfd, o->tmp, 0);
		return r;
	}
	return acg_replace_at(outfd, o->tmp, o->name);
}

/*
 * gnuplot, fed head then body on its stdin, run in the output directory (every file name
 * in a script is relative and made here, never taken from the data), no shell; what it
 * draws goes to its stdout, a new file put in place as name when gnuplot exits 0. 0 or
 * -errno. A gnuplot that exits before reading it all must not end the report with
 * SIGPIPE: the write fails instead, and so does this.
 */
static int gnuplot(int outfd, const char *head, const char *body, const char *name)
{
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	const char *parts[2] = {head, body};
	int fds[2], status = 0, r = 0, fd;
	char tmp[300];
	pid_t pid;

	fd = acg_create_tmp_at(outfd, name, 0644, tmp, sizeof(tmp));
	if (fd < 0)
		return fd;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		r = -errno;
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(fds[0]);
		close(fds[1]);
		goto out;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (null < 0 || fchdir(outfd) < 0 || dup2(fds[0], 0) < 0 || dup2(fd, 1) < 0 ||
		    dup2(null, 2) < 0)
			_exit(127);
		execlp("gnuplot", "gnuplot", (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	for (int i = 0; i < 2 && r == 0; i++) {
		size_t len = strlen(parts[i]), done = 0;

		while (done < len) {
			ssize_t n = write(fds[1], parts[i] + done, len - done);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				r = -errno;
				break;
			}
			done += (size_t)n;
		}
	}
	close(fds[1]);
	sigaction(SIGPIPE, &old, NULL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		r = -EIO;
out:
	close(fd);
	if (r == 0)
		return acg_replace_at(outfd, tmp, name);
	unlinkat(outfd, tmp, 0);
	return r;
}

/* A plot as <base>.svg and <base>.png, from a script without terminal or output. */
static int draw(int outfd, const char *body, const char *base)
{
	char name[256];
	int r;

	snprintf(name, sizeof(name), "%s.svg", base);
	r = gnuplot(outfd, "set terminal svg size 900,420 noenhanced\n", body, name);
	if (r == 0) {
		snprintf(name, sizeof(name), "%s.png", base);
		r = gnuplot(outfd, "set terminal pngcairo size 900,420 noenhanced\n", body, name);
	}
	return r;
}

/*
 * Split timeseries.csv into one "seconds MiB" file per session, for gnuplot's lines:
 * mem-<strategy>-<j>.dat for session j, mem-<strategy>-all.dat for the parent (named by
 * index: a session's name is data, never part of a path).
 */
static int split_series(const char *csv, int outfd, const char *strategy, json_t *doc)
{
	char line[512], path[256];
	json_t *s;
	size_t j;
	FILE *in = acg_fopen_user(csv);

	if (!in)
		return -errno;
	/* the sessions, then "_parent": the run's parent cgroup, i.e. the total */
	for (j = 0; j <= json_array_size(json_object_get(doc, "sessions")); j++) {
		s = json_array_get(json_object_get(doc, "sessions"), j);
		const char *name = s ? json_string_value(json_object_get(s, "name")) : "_parent";
		size_t nlen = strlen(name);
		struct out_file of;
		FILE *o;

		if (s)
			snprintf(path, sizeof(path), "mem-%s-%zu.dat", strategy, j);
		else
			snprintf(path, sizeof(path), "mem-%s-all.dat", strategy);
		o = out_open(outfd, path, &of);
		if (!o)
			continue;
		rewind(in);
		while (fgets(line, sizeof(line), in)) {
			char *c1 = strchr(line, ','), *c2;

			if (!c1 || strncmp(c1 + 1, name, nlen) != 0 || c1[1 + nlen] != ',')
				continue;
			c2 = c1 + 1 + nlen;
			*c1 = '\0';
			fprintf(o, "%s %.2f\n", line, strtod(c2 + 1, NULL) / 1048576.0);
		}
		out_close(outfd, &of);
	}
	fclose(in);
	return 0;
}

/*
 * Memory over time of strategy's first run: one line per session from timeseries.csv, the
 * budget dashed, holds as short orange marks at the bottom, kills as red verticals.
 */
static int plot_memory(const char *dir, int outfd, json_t *runs, const char *strategy)
{
	json_int_t k = first_run(runs, strategy);
	json_t *doc = run_doc(runs, strategy, k), *s;
	char csv[4096], dec[4096], line[1024], text[128];
	size_t j, n = 0;
	char *script = NULL;
	size_t len = 0;
	FILE *sf, *f;
	int r;

	if (!doc)
		return -ENOENT;
	snprintf(csv, sizeof(csv), "%s/runs/%lld/%s/timeseries.csv", dir, (long long)k, strategy);
	snprintf(dec, sizeof(dec), "%s/runs/%lld/%s/decisions.jsonl", dir, (long long)k, strategy);
	if (split_series(csv, outfd, strategy, doc) < 0)
		return -ENOENT;
	sf = open_memstream(&script, &len);
	if (!sf)
		return -ENOMEM;
	fprintf(sf,
		"set key outside right\nset grid\n"
		"set xlabel 'seconds'\nset ylabel 'MiB'\n"
		"set title '%s, run %lld: memory of each session'\n",
		gp_text(text, sizeof(text), strategy, false), (long long)k);
	json_array_foreach(json_object_get(doc, "sessions"), j, s) {
		if (strcmp(json_string_value(json_object_get(s, "status")), "killed") == 0)
			fprintf(sf,
				"set arrow from %f, graph 0 to %f, graph 1 nohead lc rgb 'red'\n"
				"set label 'killed %s' at %f, graph 0.95 tc rgb 'red'\n",
				json_number_value(json_object_get(s, "ended_at_s")),
				json_number_value(json_object_get(s, "ended_at_s")),
				gp_text(text, 64, json_string_value(json_object_get(s, "name")),
					true),
				json_number_value(json_object_get(s, "ended_at_s")));
	}
	f = acg_fopen_user(dec);
	while (f && fgets(line, sizeof(line), f) && n < 500) {
		json_t *d = json_loads(line, 0, NULL);

		if (d &&
		    strcmp(json_string_value(json_object_get(d, "action")) ?: "", "hold") == 0) {
			fprintf(sf,
				"set arrow from %f, graph 0 to %f, graph 0.04 nohead "
				"lc rgb 'orange'\n",
				json_number_value(json_object_get(d, "t")),
				json_number_value(json_object_get(d, "t")));
			n++;
		}
		json_decref(d);
	}
	if (f)
		fclose(f);
	fputs("plot ", sf);
	json_array_foreach(json_object_get(doc, "sessions"), j, s)
		fprintf(sf, "'mem-%s-%zu.dat' using 1:2 with lines lw 2 title '%s (%s)', ",
			strategy, j,
			gp_text(text, 64, json_string_value(json_object_get(s, "name")), true),
			json_string_value(json_object_get(s, "priority")));
	fprintf(sf,
		"'mem-%s-all.dat' using 1:2 with lines lw 1 lc rgb 'gray' title 'all (parent)', ",
		strategy);
	fprintf(sf, "%f with lines dt 2 lc rgb 'black' title 'budget'\n",
		(double)json_integer_value(json_object_get(doc, "budget_bytes")) / 1048576.0);
	fclose(sf);
	snprintf(text, sizeof(text), "mem-%s", strategy);
	r = draw(outfd, script, text);
	free(script);
	return r;
}

/*
 * CDF of HIGH's growth-chunk latency, one line per strategy (its first run, the HIGH
 * sessions' chunks pooled), from sessions/<name>.json.
 */
static int plot_latency_cdf(const char *dir, int outfd, json_t *runs, json_t *summary)
{
	char *script = NULL, path[8300];
	size_t len = 0, i, j, lines = 0;
	FILE *sf = open_memstream(&script, &len);
	json_t *st;
	int r;

	if (!sf)
		return -ENOMEM;
	fprintf(sf, "set grid\nset logscale x\nset xlabel 'HIGH growth latency per 4 MiB chunk, "
		    "ms'\nset ylabel 'fraction of chunks'\nset key bottom right\n"
		    "set title 'HIGH growth latency (first run of each strategy)'\n");
	fputs("plot ", sf);
	{
		json_array_foreach(json_object_get(summary, "strategies"), i, st) {
			const char *name = json_string_value(json_object_get(st, "strategy"));
			json_int_t k = first_run(runs, name);
			json_t *doc, *s;
			double *v = malloc(65536 * sizeof(*v));
			size_t n = 0, ri;
			struct out_file of;
			FILE *o;

			if (!v)
				break;
			/* every document of that run: solo has one per session */
			json_array_foreach(runs, ri, doc) {
				if (strcmp(json_string_value(json_object_get(doc, "strategy")),
					   name) ||
				    json_integer_value(json_object_get(doc, "run")) != k)
					continue;
				json_array_foreach(json_object_get(doc, "sessions"), j, s) {
					char label[256];
					json_t *sj, *ch, *x;
					size_t c;

					/* the bench names sessions/<name>.json only for
					 * names that are one harmless path component */
					if (strcmp(json_string_value(
							   json_object_get(s, "priority")),
						   "high") ||
					    !acg_name_valid(
						    json_string_value(json_object_get(s, "name"))))
						continue;
					snprintf(label, sizeof(label), "%s", name);
					if (strcmp(name, "solo") == 0)
						snprintf(label, sizeof(label), "solo-%s",
							 json_string_value(
								 json_object_get(s, "name")));
					snprintf(path, sizeof(path),
						 "%s/runs/%lld/%s/sessions/%s.json", dir,
						 (long long)k, label,
						 json_string_value(json_object_get(s, "name")));
					sj = load_optional(path);
					ch = json_object_get(json_object_get(sj, "per_sample"),
							     "growth_chunk_us");
					json_array_foreach(ch, c, x) {
						if (n < 65536)
							v[n++] = json_number_value(x) / 1e3;
					}
					json_decref(sj);
				}
			}
			if (n == 0) {
				free(v);
				continue;
			}
			acg_sort_d(v, n);
			snprintf(path, sizeof(path), "latency-%s.dat", name);
			o = out_open(outfd, path, &of);
			for (size_t q = 0; o && q < n; q++)
				fprintf(o, "%f %f\n", v[q], (double)(q + 1) / (double)n);
			free(v);
			if (!o || out_close(outfd, &of) < 0)
				continue;
			fprintf(sf, "%s'latency-%s.dat' using 1:2 with steps lw 2 title '%s'",
				lines ? ", " : "", name, name);
			lines++;
		}
		fprintf(sf, "%s\n", lines ? "" : "0 notitle");
	}
	fclose(sf);
	r = lines ? draw(outfd, script, "latency-cdf") : -ENOENT;
	free(script);
	return r;
}

/* Simulated against real completion, per strategy and session (the bench's comparison). */
static int plot_sim(int outfd, json_t *summary)
{
	json_t *cmp = json_object_get(summary, "simulation_vs_real"), *c;
	char *script = NULL, t1[64], t2[64];
	size_t len = 0, i, n = 0;
	struct out_file of;
	FILE *f, *sf;
	int r;

	if (!json_is_array(cmp) || json_array_size(cmp) == 0)
		return 0;
	f = out_open(outfd, "simulation.dat", &of);
	if (!f)
		return -errno;
	json_array_foreach(cmp, i, c) {
		json_t *real = json_object_get(c, "real_median_s"),
		       *sim = json_object_get(c, "simulated_s");

		if (!json_is_number(real) || !json_is_number(sim))
			continue;
		fprintf(f, "%zu %s/%s %f %f\n", n++,
			gp_text(t1, sizeof(t1), json_string_value(json_object_get(c, "strategy")),
				false),
			gp_text(t2, sizeof(t2), json_string_value(json_object_get(c, "session")),
				false),
			json_number_value(real), json_number_value(sim));
	}
	r = out_close(outfd, &of);
	if (r < 0 || n == 0)
		return r;
	sf = open_memstream(&script, &len);
	if (!sf)
		return -ENOMEM;
	fprintf(sf, "set grid\nset ylabel 'completion, s'\nset xtics rotate by -30\n"
		    "set title 'agentcg simulate against the real runs (median)'\nset style data "
		    "histograms\nset style fill solid 0.6\nset boxwidth 0.8\n"
		    "plot 'simulation.dat' using 3:xtic(2) title 'real', '' using 4 title "
		    "'simulated'\n");
	fclose(sf);
	r = draw(outfd, script, "simulation");
	free(script);
	return r;
}

/* Completion medians with their intervals, per strategy and class. */
static int plot_completion(int outfd, json_t *summary)
{
	json_t *st;
	size_t i;
	struct out_file of;
	FILE *f = out_open(outfd, "completion.dat", &of);
	int r;

	if (!f)
		return -errno;
	json_array_foreach(json_object_get(summary, "strategies"), i, st) {
		for (int c = 0; c < 2; c++) {
			json_t *d = json_object_get(json_object_get(st, c ? "low" : "high"),
						    "completion_s");

			if (!json_is_object(d))
				continue;
			fprintf(f, "%zu %s-%s %f %f %f\n", i * 3 + (size_t)c,
				json_string_value(json_object_get(st, "strategy")),
				c ? "LOW" : "HIGH", json_number_value(json_object_get(d, "median")),
				json_number_value(json_object_get(d, "ci_lo")),
				json_number_value(json_object_get(d, "ci_hi")));
		}
	}
	r = out_close(outfd, &of);
	if (r < 0)
		return r;
	return draw(
		outfd,
		"set grid\nset ylabel 'completion, s'\nset title 'completion: median and 95% "
		"interval over runs'\nset xtics rotate by -30\nset key off\n"
		"plot 'completion.dat' using 1:3:4:5:xtic(2) with yerrorbars pt 7 ps 1.5 lw 2\n",
		"completion");
}

/*
 * The controller's reaction, from decisions.jsonl: a hold is decided in the control tick
 * that observes the headroom crossing (every 10 ms) and applied at once; this reports how
 * long applying took. One line of Markdown, or nothing without decisions.
 */
static void reaction_md(const char *dir, json_t *runs, FILE *f)
{
	double *v = NULL;
	size_t n = 0, cap = 0, i;
	json_t *r;
	char path[8300], line[2048];

	json_array_foreach(runs, i, r) {
		FILE *d;

		snprintf(path, sizeof(path), "%s/runs/%lld/%s/decisions.jsonl", dir,
			 (long long)json_integer_value(json_object_get(r, "run")),
			 json_string_value(json_object_get(r, "strategy")));
		d = acg_fopen_user(path);
		while (d && fgets(line, sizeof(line), d)) {
			json_t *j = json_loads(line, 0, NULL);

			if (j && strcmp(json_string_value(json_object_get(j, "action")) ?: "",
					"hold") == 0) {
				if (n == cap) {
					double *nv = realloc(v, (cap ? cap * 2 : 256) * sizeof(*v));

					if (!nv) {
						json_decref(j);
						break;
					}
					v = nv;
					cap = cap ? cap * 2 : 256;
				}
				v[n++] = json_number_value(json_object_get(j, "apply_us"));
			}
			json_decref(j);
		}
		if (d)
			fclose(d);
	}
	if (n) {
		acg_sort_d(v, n);
		fprintf(f,
			"\nController reaction: a hold is decided in the control tick that sees the "
			"headroom short (every 10 ms, sooner when a kernel wake-up fires) and "
			"applied at once; applying took %.0f us (median), %.0f us (p99), %.0f us "
			"(max) over %zu holds. The whole reaction, from the crossing to the hold, "
			"is measured apart by bench/reaction_bench (make bench).\n",
			v[n / 2], v[(size_t)((double)(n - 1) * 0.99)], v[n - 1], n);
	}
	free(v);
}

/* n bytes of text as HTML text: markup characters as entities, so data is never markup. */
static void html_text(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i]; i++) {
		switch (s[i]) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(s[i], f);
		}
	}
}

/*
 * Markdown tables to HTML tables, other lines to paragraphs (the summary's own md). The
 * text, names from the data included, is escaped.
 */
static void md_to_html(const char *md, FILE *f)
{
	const char *line = md;
	bool in_table = false, header = false;

	while (*line) {
		const char *eol = line + strcspn(line, "\n");
		size_t n = (size_t)(eol - line);

		if (n && line[0] == '|') {
			if (!in_table) {
				fputs("<table>\n", f);
				in_table = header = true;
			}
			if (strncmp(line, "|---", 4) != 0) {
				const char *c = line + 1;

				fputs("<tr>", f);
				while (c < eol) {
					const char *end = memchr(c, '|', (size_t)(eol - c));

					if (!end)
						break;
					fprintf(f, "<%s>", header ? "th" : "td");
					html_text(f, c, (size_t)(end - c));
					fprintf(f, "</%s>", header ? "th" : "td");
					c = end + 1;
				}
				fputs("</tr>\n", f);
				header = false;
			}
		} else {
			if (in_table)
				fputs("</table>\n", f);
			in_table = false;
			if (n) {
				const char *tag =
					n > 2 && line[0] == '#' && line[1] == ' ' ? "h1" : "p";
				size_t skip = tag[0] == 'h' ? 2 : n > 1 && line[0] == '\\' ? 1 : 0;

				fprintf(f, "<%s>", tag);
				html_text(f, line + skip, n - skip);
				fprintf(f, "</%s>\n", tag);
			}
		}
		line = *eol ? eol + 1 : eol;
	}
	if (in_table)
		fputs("</table>\n", f);
}

/* report.md's plots: links to the SVGs, or why there are none. */
static void plots_md(FILE *f, json_t *summary, const char *why_none)
{
	json_t *st;
	size_t i;

	fputs("\n## Plots\n\n", f);
	if (why_none) {
		fprintf(f, "%s\n", why_none);
		return;
	}
	json_array_foreach(json_object_get(summary, "strategies"), i, st) {
		const char *name = json_string_value(json_object_get(st, "strategy"));

		if (strcmp(name, "solo"))
			fprintf(f, "![%s](mem-%s.svg)\n\n", name, name);
	}
	fputs("![completion](completion.svg)\n\n![HIGH growth latency](latency-cdf.svg)\n\n"
	      "![simulation](simulation.svg)\n",
	      f);
}

/* name in the output directory, if it is a regular file there (never through a symlink). */
static void embed_svg(FILE *f, int outfd, const char *name)
{
	char buf[65536];
	int fd = acg_openat(outfd, name, O_RDONLY | O_NONBLOCK);
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		fputs("<div class=plot>\n", f);
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, (size_t)n, f);
		fputs("</div>\n", f);
	}
	close(fd);
}

/* report.html's plots: the SVGs themselves, or why there are none. */
static void plots_html(FILE *f, int outfd, json_t *summary, const char *why_none)
{
	static const char *const others[] = {"completion", "latency-cdf", "simulation"};
	char name[256];
	json_t *st;
	size_t i;

	if (why_none) {
		fprintf(f, "<p>%s</p>\n", why_none);
		return;
	}
	json_array_foreach(json_object_get(summary, "strategies"), i, st) {
		const char *strategy = json_string_value(json_object_get(st, "strategy"));

		if (strcmp(strategy, "solo") == 0)
			continue;
		snprintf(name, sizeof(name), "mem-%s.svg", strategy);
		embed_svg(f, outfd, name);
	}
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		snprintf(name, sizeof(name), "%s.svg", others[i]);
		embed_svg(f, outfd, name);
	}
}

/* One line when an output could not be written; returns the exit code so far. */
static int wrote(int r, const char *out, const char *name, int code)
{
	if (r == 0)
		return code;
	acg_err("report: cannot write %s/%s: %s", out, name, strerror(-r));
	return ACG_EXIT_FAIL;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"out", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *format = "both", *out = NULL, *dir;
	char outbuf[4096], path[8300], *md = NULL, title[256] = "bench", failed[4096] = "";
	json_t *runs, *old, *summary, *scn, *host, *st;
	size_t n_runs = 0, md_len = 0, i;
	struct out_file of;
	FILE *f;
	const char *no_plots = "No plots: gnuplot was not found on PATH when this report was made.";
	bool plots = true, have_gnuplot;
	int c, outfd, code = ACG_EXIT_OK;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			report_usage(stdout);
			return ACG_EXIT_OK;
		default:
			acg_bad_option("report", argv[optind - 1]);
			return ACG_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		acg_err("report: which results directory? (see 'agentcg report --help')");
		return ACG_EXIT_USAGE;
	}
	if (strcmp(format, "md") && strcmp(format, "html") && strcmp(format, "both")) {
		acg_err("report: --format must be md, html or both");
		return ACG_EXIT_USAGE;
	}
	dir = argv[optind];
	if (load_runs(dir, &runs, &n_runs) < 0) {
		json_decref(runs);
		return ACG_EXIT_USAGE;
	}
	if (n_runs == 0) {
		acg_err("report: %s: no runs/<k>/<strategy>/run.json (not a bench results "
			"directory?)",
			dir);
		json_decref(runs);
		return ACG_EXIT_USAGE;
	}
	if (!out) {
		snprintf(outbuf, sizeof(outbuf), "%s/report", dir);
		out = outbuf;
	}
	c = acg_mkdir_p(out, 0755, failed, sizeof(failed));
	if (c < 0) {
		acg_err("report: cannot create %s: %s: %s", out, failed, strerror(-c));
		json_decref(runs);
		return ACG_EXIT_FAIL;
	}
	/* DIR/report is the data's: a symlink there is not followed (--out DIR is the user's) */
	outfd = open(out, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (out == outbuf ? O_NOFOLLOW : 0));
	if (outfd < 0) {
		c = errno;
		if (c == ELOOP || (c == ENOTDIR && out == outbuf))
			acg_err("report: %s is a symbolic link: not writing through it (--out DIR "
				"to write there)",
				out);
		else
			acg_err("report: cannot open %s: %s", out, strerror(c));
		json_decref(runs);
		return ACG_EXIT_FAIL;
	}
	snprintf(path, sizeof(path), "%s/summary.json", dir);
	old = load_optional(path);
	summary = acg_bench_summarize(runs, old ? json_object_get(old, "unavailable") : NULL);
	acg_bench_add_significance(summary, runs);
	/* what only the bench could compute (it had the scenario): carried over as data */
	acg_bench_carry_over(summary, old);
	snprintf(path, sizeof(path), "%s/scenario.json", dir);
	scn = load_optional(path);
	if (json_is_string(json_object_get(scn, "name")))
		snprintf(title, sizeof(title), "%s",
			 json_string_value(json_object_get(scn, "name")));
	snprintf(path, sizeof(path), "%s/host.json", dir);
	host = load_optional(path);

	f = open_memstream(&md, &md_len);
	fprintf(f, "# %s\n\n%zu run documents; host kernel %s, cgroup %s (memory v%lld).\n\n",
		title, n_runs, json_string_value(json_object_get(host, "kernel")) ?: "?",
		json_string_value(json_object_get(json_object_get(host, "cgroup"), "mode")) ?: "?",
		(long long)json_integer_value(
			json_object_get(json_object_get(host, "cgroup"), "memory_version")));
	acg_bench_summary_md(summary, f);
	reaction_md(dir, runs, f);
	fclose(f);

	/* plots: memory per strategy, completion; none at all without gnuplot */
	have_gnuplot = on_path("gnuplot");
	json_array_foreach(json_object_get(summary, "strategies"), i, st) {
		const char *name = json_string_value(json_object_get(st, "strategy"));

		if (have_gnuplot && strcmp(name, "solo") != 0 &&
		    plot_memory(dir, outfd, runs, name) < 0)
			plots = false;
	}
	if (have_gnuplot &&
	    (plot_completion(outfd, summary) < 0 ||
	     plot_latency_cdf(dir, outfd, runs, summary) < 0 || plot_sim(outfd, summary) < 0))
		plots = false;
	if (!have_gnuplot)
		acg_err("report: plots skipped: gnuplot not found on PATH (the tables are written; "
			"install gnuplot for the plots)");
	else if (!plots)
		acg_err("report: some plots could not be drawn (gnuplot failed, or a run's data "
			"files are missing)");

	if (strcmp(format, "html") != 0) {
		f = out_open(outfd, "report.md", &of);
		if (f) {
			fputs(md, f);
			plots_md(f, summary, have_gnuplot ? NULL : no_plots);
		}
		code = wrote(f ? out_close(outfd, &of) : -errno, out, "report.md", code);
	}
	if (strcmp(format, "md") != 0) {
		f = out_open(outfd, "report.html", &of);
		if (f) {
			fputs("<!DOCTYPE html>\n<html><head><meta charset=utf-8><title>agentcg: ",
			      f);
			html_text(f, title, sizeof(title));
			fputs("</title>\n<style>body{font-family:sans-serif;max-width:1100px;"
			      "margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0;"
			      "font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;"
			      "text-align:right}th{background:#f3f3f3}td:first-child,th:first-child"
			      "{text-align:left}.plot{margin:1em 0}</style></head><body>\n",
			      f);
			md_to_html(md, f);
			fputs("<h2>Plots</h2>\n", f);
			plots_html(f, outfd, summary, have_gnuplot ? NULL : no_plots);
			fputs("</body></html>\n", f);
		}
		code = wrote(f ? out_close(outfd, &of) : -errno, out, "report.html", code);
	}
	f = out_open(outfd, "summary.json", &of);
	if (!f)
		c = -errno;
	else if (json_dumpf(summary, f, JSON_INDENT(2)) < 0)
		c = out_abort(outfd, &of);
	else
		c = out_close(outfd, &of);
	code = wrote(c, out, "summary.json", code);
	close(outfd);
	fprintf(stderr, "report: %s (%zu run documents) in %s\n", title, n_runs, out);
	free(md);
	json_decref(runs);
	json_decref(old);
	json_decref(summary);
	json_decref(scn);
	json_decref(host);
	return code;
}
