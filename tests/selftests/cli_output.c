// SPDX-License-Identifier: GPL-2.0
/*
 * The bpfrb command's output, text and JSON, and its exit codes, checked
 * against rings and events this test makes itself. The command is
 * $BPFRB_CLI, else /bin/bpfrb (where the guest image puts it).
 *
 * timeout: 600
 */
#include <regex.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include "kselftest_harness.h"
#include "kprobe_common.h"
#include "asleep_in_poll.h"
#include "read_file.h"

#define RING_NAME	"cli-test-ring"

static const char *cli(void)
{
	const char *p = getenv("BPFRB_CLI");

	return p && *p ? p : "/bin/bpfrb";
}

enum load { LOAD_NONE, LOAD_OPENS, LOAD_PROCS };

struct run {
	int status;		/* exit code, or 128 + signal */
	char *out;		/* all of stdout (a trace can print megabytes) */
	char err[1 << 14];
};

/* The file's contents into buf, and the file removed. */
static void slurp(const char *path, char *buf, size_t len)
{
	read_file(path, buf, len);
	unlink(path);
}

/* The whole file, NUL-terminated, in a buffer of its own; "" if unreadable. */
static char *slurp_all(const char *path)
{
	struct stat st;
	char *buf;

	if (stat(path, &st))
		st.st_size = 0;
	buf = malloc(st.st_size + 1);
	if (buf)
		slurp(path, buf, st.st_size + 1);
	return buf;
}

/* One step of load: an open(2) that fails, or a child that execs true. */
static void make_load(enum load load)
{
	pid_t pid;

	if (load == LOAD_OPENS) {
		open("/cli-test-no-such-file", O_RDONLY);
	} else if (load == LOAD_PROCS) {
		pid = fork();
		if (pid == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
}

/*
 * Starts the CLI with args, its stdout on out and stderr on err; with
 * gate >= 0 it first waits for a byte there. The pid, or -1.
 */
static pid_t start_cli(const char *const *args, int out, int err, int gate)
{
	const char *argv[32] = { cli() };
	char go;
	pid_t pid;
	int i;

	for (i = 0; args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	pid = fork();
	if (pid)
		return pid;
	if (gate >= 0 && read(gate, &go, 1) != 1)
		_exit(126);
	dup2(out, 1);
	dup2(err, 2);
	execv(argv[0], (char **)argv);
	_exit(127);
}

/*
 * Runs the CLI with args, making load until it exits (60 s at most);
 * with sigint_after > 0, sends SIGINT after that many seconds.
 */
static int run_cli(struct run *r, enum load load, double sigint_after,
		   const char *const *args)
{
	char out[] = "/tmp/cli-out-XXXXXX", err[] = "/tmp/cli-err-XXXXXX";
	struct timespec t0, t;
	int status, fo, fe;
	bool signalled = false;
	pid_t pid;

	fo = mkstemp(out);
	fe = mkstemp(err);
	if (fo < 0 || fe < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = start_cli(args, fo, fe, -1);
	close(fo);
	close(fe);
	for (;;) {
		double el;

		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
		el = t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9;
		if (sigint_after > 0 && el > sigint_after && !signalled) {
			kill(pid, SIGINT);
			signalled = true;
		}
		if (el > 60) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		if (load == LOAD_NONE)
			usleep(10000);
		else
			make_load(load);
	}
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) :
					128 + WTERMSIG(status);
	free(r->out);
	r->out = slurp_all(out);
	slurp(err, r->err, sizeof(r->err));
	return r->out ? 0 : -1;
}

/* Lines of s for which match(line, its length, arg) holds. */
static int count_lines_where(const char *s,
			     bool (*match)(const char *, size_t, const void *),
			     const void *arg)
{
	int n = 0;
	const char *line = s;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (match(line, len, arg))
			n++;
		line = nl ? nl + 1 : NULL;
	}
	return n;
}

static bool line_contains(const char *line, size_t len, const void *needle)
{
	return !needle || memmem(line, len, needle, strlen(needle));
}

/* Lines containing needle; every line when needle is NULL. */
static int count_lines(const char *s, const char *needle)
{
	return count_lines_where(s, line_contains, needle);
}

static bool line_matches(const char *line, size_t len, const void *rx)
{
	char *copy = strndup(line, len);
	bool match = copy && !regexec(rx, copy, 0, NULL, 0);

	free(copy);
	return match;
}

/* Lines matching the extended regular expression re; -1 if it is bad. */
static int count_lines_re(const char *s, const char *re)
{
	regex_t rx;
	int n;

	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB))
		return -1;
	n = count_lines_where(s, line_matches, &rx);
	regfree(&rx);
	return n;
}

/* Every line is one JSON object: starts with '{', ends with '}'. */
static bool all_lines_json(const char *s)
{
	const char *line = s;

	while (*line) {
		const char *nl = strchr(line, '\n');

		if (!nl || line[0] != '{' || nl[-1] != '}')
			return false;
		line = nl + 1;
	}
	return true;
}

/* A numeric field of the first line containing match; -1 if absent. */
static long long json_field(const char *s, const char *match, const char *key)
{
	char pat[64];
	const char *line = match ? strstr(s, match) : s, *p, *nl;

	if (!line)
		return -1;
	while (line > s && line[-1] != '\n')
		line--;
	nl = strchr(line, '\n');
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	if (!p || (nl && p > nl))
		return -1;
	return strtoll(p + strlen(pat), NULL, 10);
}

FIXTURE(cli) {
	int fd;
	__u32 id;
	struct run r;
};

FIXTURE_SETUP(cli)
{
	struct bpfrb_info info;

	if (access(cli(), X_OK))
		SKIP(return, "%s is not there", cli());
	self->fd = bpfrb_create(RING_NAME, 1 << 16, BPFRB_TYPE_KERNEL, NULL);
	/* The guest always has the module: no ring is a failure. */
	ASSERT_LE(0, self->fd) TH_LOG("bpfrb_create: %s", strerror(errno));
	ASSERT_EQ(0, bpfrb_info(self->fd, &info));
	self->id = info.id;
}

FIXTURE_TEARDOWN(cli)
{
	if (self->fd >= 0)
		close(self->fd);
	free(self->r.out);
}

TEST_F(cli, help_exits_0_bad_command_exits_2)
{
	const char *help[] = { "--help", NULL }, *bad[] = { "frobnicate", NULL };
	const char *noarg[] = { "trace", NULL };

	ASSERT_EQ(0, run_cli(&self->r, LOAD_NONE, 0, help));
	EXPECT_EQ(0, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.out, "Usage:"));
	ASSERT_EQ(0, run_cli(&self->r, LOAD_NONE, 0, bad));
	EXPECT_EQ(2, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "Error: unknown command"));
	ASSERT_EQ(0, run_cli(&self->r, LOAD_NONE, 0, noarg));
	EXPECT_EQ(2, self->r.status);
}

TEST_F(cli, list_text_shows_our_ring)
{
	const char *args[] = { "list", NULL };
	char want[96];

	ASSERT_EQ(0, run_cli(&self->r, LOAD_NONE, 0, args));
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	snprintf(want, sizeof(want), "%u: kernel  name %s  size 65536\n",
		 self->id, RING_NAME);
	EXPECT_NE(NULL, strstr(self->r.out, want)) TH_LOG("%s", self->r.out);
}

TEST_F(cli, list_json_one_object_per_ring)
{
	const char *args[] = { "--json", "list", NULL };
	char want[128];

	ASSERT_EQ(0, run_cli(&self->r, LOAD_NONE, 0, args));
	ASSERT_EQ(0, self->r.status);
	EXPECT_TRUE(all_lines_json(self->r.out)) TH_LOG("%s", self->r.out);
	snprintf(want, sizeof(want),
		 "{\"id\":%u,\"name\":\"%s\",\"type\":\"kernel\",\"size\":65536,",
		 self->id, RING_NAME);
	EXPECT_NE(NULL, strstr(self->r.out, want)) TH_LOG("%s", self->r.out);
}

TEST_F(cli, show_by_name_and_id_json)
{
	const char *by_name[] = { "show", RING_NAME, "--json", NULL };
	char id[16];
	const char *by_id[] = { "show", id, "--json", NULL };

	snprintf(id, sizeof(id), "%u", self->id);
	ASSERT_EQ(0, run_cli(&self->r, LOAD_NONE, 0, by_name));
	ASSERT_EQ(0, self->r.status);
	EXPECT_EQ(1, count_lines(self->r.out, NULL));
	EXPECT_EQ(self->id, json_field(self->r.out, NULL, "id"));
	EXPECT_EQ(0, json_field(self->r.out, NULL, "probes"));
	ASSERT_EQ(0, run_cli(&self->r, LOAD_NONE, 0, by_id));
	ASSERT_EQ(0, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.out, "\"name\":\"" RING_NAME "\""));
}

TEST_F(cli, show_unknown_ring_exits_1)
{
	const char *args[] = { "show", "cli-no-such-ring", NULL };

	ASSERT_EQ(0, run_cli(&self->r, LOAD_NONE, 0, args));
	EXPECT_EQ(1, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "Error: no ring cli-no-such-ring"));
}

TEST_F_TIMEOUT(cli, trace_kprobe_json_count, 180)
{
	const char *args[] = { "trace", "-k", KP_OPEN_SYM ":2", "-c", "5",
			       "--json", NULL };

	ASSERT_EQ(0, run_cli(&self->r, LOAD_OPENS, 0, args));
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_TRUE(all_lines_json(self->r.out)) TH_LOG("%s", self->r.out);
	EXPECT_EQ(5, count_lines(self->r.out, "\"event\":\"" KP_OPEN_SYM "\""));
	/*
	 * Two arguments each, as asked, no more: the directory fd and the
	 * file name, a pointer, so never 0.
	 */
	EXPECT_EQ(5, count_lines_re(self->r.out, "\"args\":\\[\"0x[0-9a-f]+\","
				    "\"0x[1-9a-f][0-9a-f]*\"\\]")) TH_LOG("%s", self->r.out);
	EXPECT_EQ(5, json_field(self->r.out, "\"summary\"", "events"));
}

TEST_F_TIMEOUT(cli, trace_kretprobe_text, 180)
{
	const char *args[] = { "trace", "-r", KP_OPEN_SYM, "-c", "3", NULL };

	ASSERT_EQ(0, run_cli(&self->r, LOAD_OPENS, 0, args));
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_EQ(1, count_lines(self->r.out, "TIME"));
	/* Our opens fail with ENOENT; others' may succeed. */
	EXPECT_EQ(3, count_lines(self->r.out, KP_OPEN_SYM " ret "));
	/*
	 * -ENOENT as a long (6.x), or as an int with a zero upper half
	 * (do_sys_openat2() returns int on 7.x; bpfrb.8 says how it shows).
	 */
	EXPECT_GE(count_lines(self->r.out, " ret -2") +
		  count_lines(self->r.out, " ret 4294967294"), 1);
	EXPECT_NE(NULL, strstr(self->r.err, "3 events, "));
}

TEST_F_TIMEOUT(cli, trace_duration_and_sigint_end_cleanly, 180)
{
	const char *dur[] = { "trace", "-k", KP_OPEN_SYM, "-d", "2", NULL };
	const char *forever[] = { "trace", "-k", KP_OPEN_SYM, NULL };

	ASSERT_EQ(0, run_cli(&self->r, LOAD_OPENS, 0, dur));
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_NE(NULL, strstr(self->r.err, " drops"));
	ASSERT_EQ(0, run_cli(&self->r, LOAD_OPENS, 2, forever));
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_NE(NULL, strstr(self->r.err, " events, "));
	EXPECT_GT(count_lines(self->r.out, KP_OPEN_SYM), 0);
}

TEST_F(cli, trace_unknown_symbol_exits_1)
{
	const char *args[] = { "trace", "-k", "cli_no_such_symbol", "-c", "1", NULL };
	const char *bad_nargs[] = { "trace", "-k", KP_OPEN_SYM ":9", NULL };

	ASSERT_EQ(0, run_cli(&self->r, LOAD_NONE, 0, args));
	EXPECT_EQ(1, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "no such kernel symbol"));
	ASSERT_EQ(0, run_cli(&self->r, LOAD_NONE, 0, bad_nargs));
	EXPECT_EQ(2, self->r.status);
}

/*
 * The request's limit is on the symbol (BPFRB_SYM_LEN with its NUL), not
 * on SYM+OFFSET:NARGS: 127 characters and a suffix are looked up (and
 * not found), 128 are refused as a bad command line.
 */
TEST_F(cli, trace_symbol_length_is_the_symbols_alone)
{
	char longest[BPFRB_SYM_LEN + 8], too_long[BPFRB_SYM_LEN + 8];
	const char *fits[] = { "trace", "-k", longest, "-c", "1", NULL };
	const char *refused[] = { "trace", "-k", too_long, "-c", "1", NULL };

	memset(longest, 'x', BPFRB_SYM_LEN - 1);
	strcpy(longest + BPFRB_SYM_LEN - 1, "+4:2");
	memset(too_long, 'x', BPFRB_SYM_LEN);
	strcpy(too_long + BPFRB_SYM_LEN, ":2");
	ASSERT_EQ(0, run_cli(&self->r, LOAD_NONE, 0, fits));
	EXPECT_EQ(1, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_NE(NULL, strstr(self->r.err, "no such kernel symbol"));
	ASSERT_EQ(0, run_cli(&self->r, LOAD_NONE, 0, refused));
	EXPECT_EQ(2, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_NE(NULL, strstr(self->r.err, "symbol too long"));
}

TEST_F_TIMEOUT(cli, trace_proc_json_fork_exec_exit_in_order, 180)
{
	const char *args[] = { "trace", "--proc", "-d", "5", "--json", NULL };
	int forks = 0, execs = 0, exits = 0, complete = 0, pass;
	int all_forks = 0;
	bool exit_seen = false;
	char *copy, *line, *save;
	long long pid, summary_forks;
	/*
	 * Per pid: bit 0 fork seen, 1 exec seen, 2 exit seen; bit 7: judged.
	 * The tool attaches its probes one by one, fork's first and exit's
	 * last, while the workload runs: a child forked in between has a
	 * fork event and may miss its exec. So only children whose fork
	 * comes after some exit event in the stream are judged: that exit
	 * was reserved once every probe was armed, and the fork after it.
	 */
	static unsigned char seen[1 << 22];

	memset(seen, 0, sizeof(seen));
	ASSERT_EQ(0, run_cli(&self->r, LOAD_PROCS, 0, args));
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_TRUE(all_lines_json(self->r.out));
	summary_forks = json_field(self->r.out, "\"summary\"", "fork");
	for (pass = 0; pass < 2; pass++) {
		copy = strdup(self->r.out);
		ASSERT_NE(NULL, copy);
		for (line = strtok_r(copy, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			pid = json_field(line, NULL, "pid");
			if (pid < 0 || pid >= (long long)sizeof(seen))
				continue;
			if (pass == 0) {
				if (strstr(line, "\"event\":\"exit\""))
					exit_seen = true;
				if (strstr(line, "\"event\":\"fork\"")) {
					all_forks++;
					if (exit_seen)
						seen[pid] = 0x80;
				}
				continue;
			}
			if (!(seen[pid] & 0x80))
				continue;
			if (strstr(line, "\"event\":\"fork\"")) {
				forks++;
				seen[pid] |= 1;
			} else if (strstr(line, "\"event\":\"exec\"") &&
				   strstr(line, "\"comm\":\"true\"")) {
				execs++;
				/* Every exec of a child follows its fork. */
				EXPECT_EQ(0x81, seen[pid])
					TH_LOG("exec before fork: %s", line);
				seen[pid] |= 2;
			} else if (strstr(line, "\"event\":\"exit\"") &&
				   strstr(line, "\"comm\":\"true\"")) {
				exits++;
				EXPECT_EQ(0x83, seen[pid])
					TH_LOG("exit out of order: %s", line);
				if (seen[pid] == 0x83)
					complete++;
				seen[pid] |= 4;
			}
		}
		free(copy);
	}
	TH_LOG("fork %d, exec of true %d, exit of true %d; %.200s", forks,
	       execs, exits, strstr(self->r.out, "{\"summary\"") ?: "no summary");
	EXPECT_GT(complete, 0);
	EXPECT_EQ(all_forks, summary_forks);
}

TEST_F_TIMEOUT(cli, cat_events_json_and_hex, 180)
{
	char name_events[] = RING_NAME;
	const char *events[] = { "cat", name_events, "-e", "--json", NULL };
	const char *hex[] = { "cat", name_events, NULL };
	int id, i;

	id = bpfrb_kprobe_attach(self->fd, KP_OPEN_SYM, NULL);
	ASSERT_GT(id, 0);
	for (i = 0; i < 5; i++)
		make_load(LOAD_OPENS);
	ASSERT_EQ(0, bpfrb_kprobe_detach(self->fd, id));

	ASSERT_EQ(0, run_cli(&self->r, LOAD_NONE, 0, events));
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_TRUE(all_lines_json(self->r.out));
	EXPECT_GE(count_lines(self->r.out, "\"probe_id\":"), 5);
	EXPECT_EQ(count_lines(self->r.out, "\"probe_id\":"),
		  json_field(self->r.out, "\"summary\"", "records"));
	/* Consumed: a second cat finds nothing. */
	ASSERT_EQ(0, run_cli(&self->r, LOAD_NONE, 0, hex));
	EXPECT_EQ(0, self->r.status);
	EXPECT_EQ(0, count_lines(self->r.out, "len "));

	id = bpfrb_kprobe_attach(self->fd, KP_OPEN_SYM, NULL);
	ASSERT_GT(id, 0);
	make_load(LOAD_OPENS);
	ASSERT_EQ(0, bpfrb_kprobe_detach(self->fd, id));
	ASSERT_EQ(0, run_cli(&self->r, LOAD_NONE, 0, hex));
	EXPECT_EQ(0, self->r.status);
	EXPECT_GE(count_lines(self->r.out, "len 96 "), 1);
}

/* Records in the fixture's ring, from n opens under a probe; the count. */
static long long fill_with_opens(int fd, int n)
{
	struct bpfrb_info info;
	int id, i;

	id = bpfrb_kprobe_attach(fd, KP_OPEN_SYM, NULL);
	if (id <= 0)
		return -1;
	for (i = 0; i < n; i++)
		make_load(LOAD_OPENS);
	if (bpfrb_kprobe_detach(fd, id) || bpfrb_info(fd, &info))
		return -1;
	return (long long)(info.producer_pos - info.consumer_pos) /
	       (long long)(sizeof(struct bpfrb_event) + 8);
}

/*
 * cat -c N consumes exactly N records: the rest are there for the next
 * reader. And -c before -d is still a count.
 */
TEST_F_TIMEOUT(cli, cat_count_leaves_the_rest, 180)
{
	char name[] = RING_NAME;
	const char *one[] = { "cat", name, "-e", "--json", "-c", "1", NULL };
	const char *two[] = { "cat", name, "-e", "--json", "-f", "-c", "2",
			      "-d", "50", NULL };
	const char *rest[] = { "cat", name, "-e", "--json", NULL };
	long long n;

	n = fill_with_opens(self->fd, 5);
	ASSERT_GE(n, 5);
	ASSERT_EQ(0, run_cli(&self->r, LOAD_NONE, 0, one));
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_EQ(1, count_lines(self->r.out, "\"probe_id\":"));
	ASSERT_EQ(0, run_cli(&self->r, LOAD_NONE, 0, two));
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_EQ(2, count_lines(self->r.out, "\"probe_id\":"));
	ASSERT_EQ(0, run_cli(&self->r, LOAD_NONE, 0, rest));
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_EQ(n - 3, count_lines(self->r.out, "\"probe_id\":"));
}

TEST_F(cli, trace_bad_probe_spec_exits_2)
{
	const char *offset[] = { "trace", "-k", KP_OPEN_SYM "+bar", NULL };
	const char *nargs[] = { "trace", "-k", KP_OPEN_SYM ":4294967297", NULL };
	const char *count[] = { "trace", "-k", KP_OPEN_SYM, "-c", "010x", NULL };

	ASSERT_EQ(0, run_cli(&self->r, LOAD_NONE, 0, offset));
	EXPECT_EQ(2, self->r.status) TH_LOG("%s", self->r.err);
	ASSERT_EQ(0, run_cli(&self->r, LOAD_NONE, 0, nargs));
	EXPECT_EQ(2, self->r.status) TH_LOG("%s", self->r.err);
	ASSERT_EQ(0, run_cli(&self->r, LOAD_NONE, 0, count));
	EXPECT_EQ(2, self->r.status) TH_LOG("%s", self->r.err);
}

/* A comm with bytes from 0x80 up is still valid JSON: \u00XX escapes. */
TEST_F_TIMEOUT(cli, trace_json_escapes_high_bytes, 180)
{
	const char *args[] = { "trace", "-k", KP_OPEN_SYM, "-c", "20", "--json",
			       NULL };
	char old[16] = "";

	ASSERT_EQ(0, prctl(PR_GET_NAME, old));
	ASSERT_EQ(0, prctl(PR_SET_NAME, "cli-\xe9t\xe9"));
	ASSERT_EQ(0, run_cli(&self->r, LOAD_OPENS, 0, args));
	prctl(PR_SET_NAME, old);
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_GE(count_lines(self->r.out, "\"comm\":\"cli-\\u00e9t\\u00e9\""), 1);
	EXPECT_EQ(0, count_lines(self->r.out, "\xe9"));
}

/*
 * Ring names are system-wide and pids are not: a trace whose
 * bpfrb-trace-PID is taken (here by the test, before the command runs
 * under that pid) takes bpfrb-trace-PID-2.
 */
TEST_F_TIMEOUT(cli, trace_takes_another_name_when_its_own_is_taken, 180)
{
	const char *args[] = { "trace", "-k", KP_OPEN_SYM, "-d", "1", NULL };
	char err[] = "/tmp/cli-err-XXXXXX", name[BPFRB_NAME_LEN], want[64];
	int gate[2], fe, taken, status;
	pid_t pid;

	ASSERT_EQ(0, pipe(gate));
	fe = mkstemp(err);
	ASSERT_LE(0, fe);
	/* Runs once this process has taken the name. */
	pid = start_cli(args, fe, fe, gate[0]);
	ASSERT_LE(0, pid);
	close(gate[0]);
	close(fe);
	snprintf(name, sizeof(name), "bpfrb-trace-%d", (int)pid);
	taken = bpfrb_create(name, 1 << 16, BPFRB_TYPE_KERNEL, NULL);
	/* Released whatever happened: it holds the pipe's other end too. */
	ASSERT_EQ(1, write(gate[1], "x", 1));
	close(gate[1]);
	ASSERT_LE(0, taken) TH_LOG("bpfrb_create(%s): %s", name, strerror(errno));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(taken);
	slurp(err, self->r.err, sizeof(self->r.err));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("%s", self->r.err);
	snprintf(want, sizeof(want), "into ring %s-2;", name);
	EXPECT_NE(NULL, strstr(self->r.err, want)) TH_LOG("%s", self->r.err);
}

/* Whether process pid has a SIGINT pending, not yet taken. */
static bool sigint_pending(pid_t pid)
{
	unsigned long long mask;
	char path[64], line[256];
	bool pending = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if ((sscanf(line, "ShdPnd: %llx", &mask) == 1 ||
		     sscanf(line, "SigPnd: %llx", &mask) == 1) &&
		    (mask & (1ULL << (SIGINT - 1))))
			pending = true;
	fclose(f);
	return pending;
}

/*
 * Ctrl-C while the trace is blocked writing to a full pipe: every event
 * counted in the summary is printed. (An interrupted write(2) makes stdio
 * drop what it had buffered: the signal must not interrupt it.)
 */
TEST_F_TIMEOUT(cli, trace_sigint_while_stdout_blocks_loses_no_line, 180)
{
	const char *args[] = { "trace", "-k", KP_OPEN_SYM, NULL };
	char err[] = "/tmp/cli-err-XXXXXX", buf[4096], *ev;
	unsigned long long events = 0;
	size_t len = 0, total = 0, cap = 1 << 20;
	int out[2], fe, i, status;
	ssize_t n;
	pid_t pid;

	ASSERT_EQ(0, pipe(out));
	/*
	 * One page: a write that finds it full has written nothing when it
	 * blocks, so the signal would interrupt it (EINTR) rather than cut
	 * it short.
	 */
	ASSERT_LE(4096, fcntl(out[0], F_SETPIPE_SZ, 4096));
	fe = mkstemp(err);
	ASSERT_LE(0, fe);
	pid = start_cli(args, out[1], fe, -1);
	ASSERT_LE(0, pid);
	close(out[1]);
	close(fe);
	/* Opens, traced, until the trace sleeps in write(2) on a full pipe. */
	for (i = 0; i < 200000 && asleep_in_syscall(pid) != SYS_write; i++)
		open("/cli-test-no-such-file", O_RDONLY);
	EXPECT_EQ(SYS_write, asleep_in_syscall(pid)) TH_LOG("%d opens", i);
	kill(pid, SIGINT);
	/*
	 * Read nothing until the signal is taken: room made before the trace
	 * saw it would let the blocked write finish first.
	 */
	for (i = 0; i < 10000 && sigint_pending(pid); i++)
		usleep(1000);
	EXPECT_FALSE(sigint_pending(pid));
	self->r.out = malloc(cap + 1);
	ASSERT_NE(NULL, self->r.out);
	while ((n = read(out[0], buf, sizeof(buf))) > 0) {
		total += n;
		if (len + n <= cap) {
			memcpy(self->r.out + len, buf, n);
			len += n;
		}
	}
	self->r.out[len] = '\0';
	close(out[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	slurp(err, self->r.err, sizeof(self->r.err));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("%s", self->r.err);
	ASSERT_EQ(total, len) TH_LOG("more than %zu bytes of output", cap);
	ev = strstr(self->r.err, " events, ");
	ASSERT_NE(NULL, ev) TH_LOG("%s", self->r.err);
	while (ev > self->r.err && ev[-1] >= '0' && ev[-1] <= '9')
		ev--;
	events = strtoull(ev, NULL, 10);
	TH_LOG("%llu events", events);
	EXPECT_LT(0ULL, events);
	EXPECT_EQ((int)events, count_lines(self->r.out, KP_OPEN_SYM));
}

TEST_HARNESS_MAIN
