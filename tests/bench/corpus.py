"""Deterministic corpus for the sesslua benchmarks.

Everything here comes from one seeded random.Random, so the same seed and
sizes give byte-identical trees on every machine. Logs follow the shape of
the reference SESSION_LOG_TEMPLATE.md (header fields, Current Work with a
Current Phase task list, dated Completed Today groups, services, learnings,
blockers, coordination, next steps, notes, Last Updated footer), with fenced
code blocks holding `#` lines, emoji headings and some CRLF files.

Search words: MODERATE_WORD appears in roughly 0.3% of body lines (a few
thousand hits in 10,000 logs); RARE_WORD is planted in RARE_FILES logs only;
COMMON_WORD ("the") is on most body lines: the many-hits case.
"""

import datetime
import math
import os
import random

MODERATE_WORD = "flaky"
RARE_WORD = "quetzal"
COMMON_WORD = "the"  # on most body lines: the many-hits case
RARE_FILES = 12
DAY0 = datetime.date(2025, 11, 15)

MIN_SIZE = 2 * 1024
MAX_SIZE = 200 * 1024
MEDIAN_SIZE = 8 * 1024
SIGMA = 0.75  # log-normal spread: mean ~10.6 KB, so 10,000 logs ~ 100 MB

ROLES = ["DevOps Engineer", "Backend Developer", "Frontend Developer", "QA Engineer",
         "Data Engineer", "Security Reviewer", "Platform Engineer", "Tech Writer",
         "ML Engineer", "Site Reliability Engineer"]
STATUSES = ["Planning", "Building", "Testing", "Deploying", "Complete"]
SERVICES = ["auth-service", "billing-api", "gateway", "search-indexer", "notifier",
            "report-worker", "user-profile", "media-store", "scheduler", "audit-log",
            "metrics-collector", "feature-flags"]
TOPICS = ["Caching", "Retries", "Database", "Testing", "Deployment", "Logging",
          "Security", "Performance", "Migrations", "CI", "Docker", "Networking"]
VERBS = ["Added", "Fixed", "Refactored", "Documented", "Tested", "Deployed", "Reviewed",
         "Measured", "Removed", "Migrated", "Profiled", "Configured", "Benchmarked"]
NOUNS = ["the connection pool", "retry logic", "the health endpoint", "JWT validation",
         "rate limiting", "the schema migration", "structured logging", "the cache layer",
         "pagination", "the CI pipeline", "error handling", "the Dockerfile",
         "input validation", "the metrics exporter", "the queue consumer", "TLS settings",
         "the config loader", "feature flag lookups", "the backup job", "API docs"]
TAILS = ["for the staging cluster", "after the review", "with unit tests",
         "behind a feature flag", "to cut p99 latency", "on port 8080",
         "per the team's checklist", "so other sessions can reuse it",
         "(see PR #{n})", "- took {n} minutes", "in SERVICES/{svc}/",
         "using asyncio.gather()", "and updated the README", "with `make check` passing"]
EMOJI = ["🚀", "✅", "🔥", "📋", "🚧", "💡", "🐛", "📝", "⚙️", "🎯"]
CODE_LANGS = ["bash", "python", "yaml", "sh", ""]
CODE_LINES = {
    "bash": ["# restart the service", "systemctl restart {svc}", "# check it is up",
             "curl -fsS http://localhost:8080/health", "# {n} retries max",
             "export RETRIES={n}", "docker compose up -d {svc}"],
    "python": ["# retry with backoff", "for attempt in range({n}):", "    # try once more",
               "    resp = client.get(url, timeout=5)", "import asyncio",
               "# gather the calls", "results = await asyncio.gather(*tasks)"],
    "yaml": ["# deployment settings", "replicas: {n}", "image: {svc}:latest",
             "# probes", "livenessProbe:", "  httpGet: {{path: /health}}"],
    "sh": ["# Heading-looking comment", "## not a heading either", "set -euo pipefail",
           "grep -rn TODO src/ | wc -l", "# {n} files"],
    "": ["# plain fence", "### still not a heading", "key = value {n}"],
}


class LogGen:
    """Generates logs and knowledge files from one seeded generator."""

    def __init__(self, seed):
        self.r = random.Random(seed)
        # A pool of body sentences, so generation is fast yet varied.
        self.sentences = [self._sentence() for _ in range(6000)]

    def _sentence(self):
        r = self.r
        s = "%s %s %s" % (r.choice(VERBS), r.choice(NOUNS), r.choice(TAILS))
        s = s.format(n=r.randint(2, 999), svc=r.choice(SERVICES))
        if r.random() < 0.003:  # ~0.3% of body lines
            s += " (%s test on %s)" % (r.choice([MODERATE_WORD, MODERATE_WORD.capitalize()]),
                                        r.choice(SERVICES))
        return s

    def size(self):
        r = self.r
        s = int(MEDIAN_SIZE * math.exp(r.gauss(0.0, SIGMA)))
        return max(MIN_SIZE, min(MAX_SIZE, s))

    def date(self, day):
        # day 0 = 2025-11-15, going back in time
        return (DAY0 - datetime.timedelta(days=day)).isoformat()

    def _code_block(self):
        r = self.r
        lang = r.choice(CODE_LANGS)
        lines = ["```" + lang]
        for _ in range(r.randint(2, 7)):
            lines.append(r.choice(CODE_LINES[lang]).format(n=r.randint(1, 99), svc=r.choice(SERVICES)))
        lines.append("```")
        return lines

    def _completed_group(self, day):
        r = self.r
        out = ["**%s:**" % self.date(day)]
        for _ in range(r.randint(2, 8)):
            out.append("- [x] " + r.choice(self.sentences))
        out.append("")
        return out

    def _learning(self, day):
        r = self.r
        out = ["**%s - %s:**" % (self.date(day), r.choice(TOPICS))]
        for _ in range(r.randint(1, 4)):
            out.append("- " + r.choice(self.sentences))
        if r.random() < 0.3:
            out.extend(self._code_block())
        out.append("")
        return out

    def _note(self, emoji):
        r = self.r
        out = []
        if r.random() < 0.25:
            out += ["### %s%s" % ((r.choice(EMOJI) + " ") if emoji else "", r.choice(TOPICS) + " notes"), ""]
        out.append(" ".join(r.choice(self.sentences) + "." for _ in range(r.randint(2, 6))))
        out.append("")
        if r.random() < 0.35:
            out.extend(self._code_block())
            out.append("")
        return out

    def log(self, num, target, rare=False):
        """One session log of about `target` bytes (before CRLF)."""
        r = self.r
        sid = "session-%d" % num
        emoji = r.random() < 0.15
        h = lambda title: "## " + ((r.choice(EMOJI) + " ") if emoji else "") + title
        role = r.choice(ROLES)
        status = r.choice(STATUSES)
        progress = r.randint(0, 100)
        head = [
            "# Session %d - Work Log" % num if not emoji else "# %s Session %d - Work Log" % (r.choice(EMOJI), num),
            "",
            "**Session ID:** " + sid,
            "**Role:** " + role,
            "**Goal:** " + r.choice(self.sentences),
            "**Started:** %s 09:%02d:00" % (self.date(r.randint(0, 30)), r.randint(0, 59)),
            "**Status:** Active",
            "", "---", "",
            h("Current Work"), "",
            "**Working On:** " + r.choice(SERVICES),
            "**Status:** " + status,
            "**Progress:** %d%%" % progress,
            "",
            "**Current Phase:**",
        ]
        for _ in range(r.randint(2, 8)):
            head.append("- [%s] %s" % ("x" if r.random() < 0.4 else " ", r.choice(self.sentences)))
        head += ["", "---", "", h("Completed Today"), ""]

        services = ["", "---", "", h("Services Built/Modified"), ""]
        for i in range(1, r.randint(1, 4) + 1):
            svc = r.choice(SERVICES)
            services += ["%d. **%s** (Port: %d)" % (i, svc, 8000 + r.randint(0, 99)),
                         "   - Status: " + r.choice(["Development", "Testing", "Production"]),
                         "   - Progress: %d%%" % r.randint(0, 100),
                         "   - Location: SERVICES/%s/" % svc, ""]
        learn_head = ["---", "", h("Learnings & Discoveries"), ""]
        blockers = ["---", "", h("Blockers & Issues"), "", "**Current Blockers:**"]
        if r.random() < 0.5:
            blockers.append("None")
        else:
            for _ in range(r.randint(1, 3)):
                blockers.append("- [ ] " + r.choice(self.sentences))
        blockers += ["", "**Resolved Issues:**"]
        for _ in range(r.randint(0, 3)):
            blockers.append("- [x] ~~%s~~ - Solved by %s" % (r.choice(NOUNS), r.choice(self.sentences).lower()))
        coord = ["", "---", "", h("Coordination"), "", "**Messages Sent:**"]
        for _ in range(r.randint(0, 3)):
            coord.append('- %s 1%d:00 → session-%d: "%s" (High)' % (
                self.date(r.randint(0, 5)), r.randint(0, 9), r.randint(1, 999), r.choice(TOPICS)))
        coord += ["", "**Messages Received:**"]
        for _ in range(r.randint(0, 3)):
            coord.append('- %s 1%d:30 ← session-%d: "%s" - acknowledged' % (
                self.date(r.randint(0, 5)), r.randint(0, 9), r.randint(1, 999), r.choice(TOPICS)))
        coord += ["", "**Collaborations:**", "- With session-%d on %s" % (r.randint(1, 999), r.choice(SERVICES))]
        nxt = ["", "---", "", h("Next Steps"), ""]
        for i in range(1, r.randint(2, 6) + 1):
            nxt.append("%d. %s" % (i, r.choice(self.sentences)))
        notes_head = ["", "---", "", h("Session Notes"), ""]
        foot = ["---", "",
                "**Last Updated:** %s %02d:%02d:%02d" % (self.date(r.randint(0, 3)), r.randint(0, 23),
                                                        r.randint(0, 59), r.randint(0, 59)),
                "**Updated By:** " + sid, ""]

        completed, learnings, notes = [], [], []
        fixed = sum(len(x) + 1 for part in (head, services, learn_head, blockers, coord, nxt,
                                            notes_head, foot) for x in part)
        size = fixed
        day = 0
        while size < target:
            pick = r.random()
            if pick < 0.45:
                block = self._completed_group(day)
                day += 1
                completed.extend(block)
            elif pick < 0.65:
                block = self._learning(r.randint(0, max(day, 1)))
                learnings.extend(block)
            else:
                block = self._note(emoji)
                notes.extend(block)
            size += sum(len(x) + 1 for x in block)
        if rare:
            notes += ["Spotted a %s in the %s logs; worth a look." % (RARE_WORD, r.choice(SERVICES)), ""]
        lines = head + completed + services + learn_head + learnings + blockers + coord + nxt \
            + notes_head + notes + foot
        return "\n".join(lines)

    def learnings(self, n):
        """shared-knowledge/learnings.md with n entries, newest first."""
        r = self.r
        out = ["# Shared Learnings", "",
               "Knowledge shared by every session. Add to it with "
               "`sesslua share.lua learning CATEGORY TEXT [IMPACT]`;",
               "find it with `sesslua search.lua QUERY --knowledge`.", "",
               "**Total Learnings:** %d" % n, "", "---", "",
               "<!-- Sessions add entries below this line -->", ""]
        for i in range(n):
            day = i * 400 // max(n, 1)
            date = self.date(day)
            sess = "session-%d" % r.randint(1, 999)
            cat = r.choice(TOPICS)
            out += ["### %s - %s - %s" % (date, sess, cat), "",
                    "**Learning:** " + r.choice(self.sentences),
                    "**Impact:** " + r.choice(["Low", "Medium", "High", "Critical"]),
                    "**Timestamp:** %s %02d:%02d:00 UTC" % (date, r.randint(0, 23), r.randint(0, 59)),
                    "**Category:** " + cat,
                    "**Shared By:** " + sess, "", "---", ""]
        return "\n".join(out)


def write(path, text, crlf=False):
    if crlf:
        text = text.replace("\n", "\r\n")
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def make_root(base, n_logs, seed, n_learnings=0, big_mb=()):
    """Create base/docs/coordination with n_logs active logs.

    Returns (root, stats) where stats has total bytes and the median size.
    """
    gen = LogGen(seed)
    root = os.path.join(base, "docs", "coordination")
    active = os.path.join(root, "sessions", "ACTIVE")
    os.makedirs(active, exist_ok=True)
    os.makedirs(os.path.join(root, "sessions", "ARCHIVE"), exist_ok=True)
    os.makedirs(os.path.join(root, "shared-knowledge"), exist_ok=True)
    rare_every = max(1, n_logs // RARE_FILES)
    sizes = []
    for i in range(1, n_logs + 1):
        text = gen.log(i, gen.size(), rare=(i % rare_every == 0))
        crlf = gen.r.random() < 0.05
        write(os.path.join(active, "session-%d.md" % i), text, crlf)
        sizes.append(len(text.encode("utf-8")) + (text.count("\n") if crlf else 0))
    if n_learnings:
        write(os.path.join(root, "shared-knowledge", "learnings.md"), gen.learnings(n_learnings))
    bigs = {}
    for mb in big_mb:
        text = gen.log(900000 + int(mb), int(mb * 1024 * 1024))
        p = os.path.join(base, "big-%gMB.md" % mb)
        write(p, text)
        bigs[mb] = p
    sizes.sort()
    stats = {"files": n_logs, "bytes": sum(sizes),
             "median": sizes[len(sizes) // 2] if sizes else 0,
             "min": sizes[0] if sizes else 0, "max": sizes[-1] if sizes else 0}
    return root, stats, bigs


def write_big_notes_log(path, megabytes, seed):
    """A session log of about `megabytes` MB whose Session Notes hold
    paragraphs of 8-30 words: the shape a log that was noted into for a
    long time reaches (update --note's memory and time benchmark)."""
    gen = LogGen(seed)
    text = gen.log(1, MEDIAN_SIZE)
    rng = random.Random(seed)
    words = ["deploy", "the", "service", "kafka", "rollout", "canary", "retry", "cache",
             "build", "test", "fix", "note", "log", MODERATE_WORD]
    target = int(megabytes * 1024 * 1024)
    parts, size = [], len(text)
    while size < target:
        para = " ".join(rng.choice(words) for _ in range(rng.randint(8, 30)))
        parts.append(para)
        size += len(para) + 2
    at = text.find("## Session Notes")
    at = text.find("\n", at) + 1 if at >= 0 else len(text)
    text = text[:at] + "\n" + "\n\n".join(parts) + "\n" + text[at:]
    write(path, text)
