#!/usr/bin/env python3
"""deviations.py - docs/deviations/linux.md from the JSON of a run judged by the rfc9293 model.

  tools/deviations.py gen RESULTS.json OUT.md   write the document
  tools/deviations.py check RESULTS.json DOC.md exit 1 unless every case the model failed in
                                                RESULTS is listed in DOC (run-to-run noise in
                                                messages and times does not matter)

tools/deviations.sh runs the suites and calls `gen`. A model failure under rfc9293 is a place
where Linux differs from RFC 9293 (with RFC 5961, 7323, 6298, 1122) read strictly; the linux
profile (suites/profiles/linux.yaml) models each of them with a knob, so `--profile linux`
runs clean. The explanations below are keyed by case id; a case without one says so.
"""
import json
import sys

WHY = {
    "rto": ("RFC 6298 2.4: \"Whenever RTO is computed, if it is less than 1 second, then the RTO "
            "SHOULD be rounded up to 1 second.\" Linux retransmits after TCP_RTO_MIN (200 ms) plus "
            "its RTT estimate. Profile knobs `rto_min`, `rto_linux`."),
    "simopen": ("RFC 7323 2.2: \"A TCP MUST NOT send a Window Scale option in a <SYN,ACK> segment "
                "unless it received one in the initial <SYN>\" (3.2: the same for timestamps; RFC "
                "2018 2 for SACK-permitted). After a simultaneous open Linux's SYN-ACK repeats its "
                "own SYN's options although our SYN carried only MSS. Knob "
                "`simopen_synack_all_opts`."),
    "synsent": ("RFC 9293 3.10.7.3: an unacceptable ACK in SYN-SENT is dropped (or answered with "
                "<SEQ=SEG.ACK><CTL=RST>) and the open goes on; Linux also retransmits its SYN at once "
                "(tcp_rcv_synsent_state_process, \"Previous FIN/ACK or RST/ACK might be ignored\"). "
                "Knob `syn_sent_bad_ack_resend`."),
    "sysctl": ("The case sets a Linux sysctl (see its `sysctl:`); the rfc9293 profile judges the "
               "standard and does not apply Linux settings, so the run shows what the setting "
               "changes relative to RFC 9293. The linux profile applies the sysctl."),
    "keepalive": ("RFC 1122 4.2.3.6 says only that the connection is closed after unanswered "
                  "keep-alive probes; Linux sends a RST first (tcp_keepalive_timer). Knob "
                  "`keepalive_rst`."),
    "fw2": ("RFC 9293 keeps FIN-WAIT-2 until the peer's FIN arrives; Linux ends an orphaned "
            "FIN-WAIT-2 after tcp_fin_timeout (RFC 1122 4.2.2.20 permits a timeout). Knob "
            "`fin_wait_2`."),
    "twsyn": ("RFC 9293 3.10.7.4 treats a SYN in TIME-WAIT by the acceptability test and RFC 5961 "
              "4.2; RFC 1122 4.2.2.13 says a TCP MAY accept a new SYN with a higher sequence number "
              "and reopen, which Linux does. Knob `time_wait_reopen` (the model abstains)."),
    "synlinear": ("RFC 6298 5.5 doubles the RTO after each expiry; Linux retransmits its first SYNs "
                  "at fixed intervals (net.ipv4.tcp_syn_linear_timeouts) and backs off later."),
    "ooo": ("RFC 9293 3.10.7.4 first check (SHLD-31): \"Segments with higher beginning sequence "
            "numbers SHOULD be held for later processing\"; Linux processes the ACK of such a "
            "segment at once and queues only its text (tcp_ack() before tcp_data_queue()). A "
            "SHOULD departure (warn); knob `ooo_ack_at_once`."),
    "delack": ("Delayed-ACK timing: RFC 9293 3.8.6.3 (SHLD-18, MUST-40) allows up to 500 ms; Linux "
               "uses TCP_DELACK_MIN (40 ms) to 200 ms. Knobs `delack`, `ack_delay_max`."),
}
CASES = {
    "handshake.simultaneous-open": "simopen",
    "handshake.simultaneous-open.rst-closes": "simopen",
    "handshake.simultaneous-open.synack-completes": "simopen",
    "handshake.syn-sent.rst-bad-ack.ignored": "synsent",
    "handshake.syn-sent.synack-bad-ack.rst": "synsent",
    "handshake.synack-retries.exhausted": "sysctl",
    "reset.time-wait.rfc1337-on.ignored": "sysctl",
    "socket-api.keepalive.probes-then-rst": "keepalive",
    "teardown.fin-wait-2.orphan-timeout": "fw2",
    "teardown.time-wait.new-syn.reopens": "twsyn",
    "timers.syn.linear-timeouts.default": "synlinear",
    "socket-api.tcp-quickack": "delack",
}


def model_failures(path):
    with open(path) as f:
        d = json.load(f)
    out = {}
    for c in d.get("cases", []):
        fs = [x for x in c.get("failures", []) if x.get("judge") in ("model", "both")]
        # A MUST failure first: it is what the case is listed for (in the baseline); SHOULD
        # departures (warn) are documented too, under their own heading.
        fs.sort(key=lambda x: 0 if x.get("level", "MUST") == "MUST" else 1)
        if fs:
            e = out.setdefault(c["id"], {"title": c.get("title", ""), "file": c.get("file", ""),
                                          "families": [], "f": fs[0]})
            e["families"].append(c.get("family", ""))
    return d, out


# The generated state-event matrix (runner/cmd/gen.c): one explanation per linux-profile knob.
KNOB = {
    "tw": ("RFC 9293 3.10.7.4 in TIME-WAIT (Table 6, RFC 5961 3.2's challenge ACK, the fifth "
           "check's \"Acknowledge it, and restart the 2 MSL timeout\"); Linux's "
           "tcp_timewait_state_process() takes silently only a bare segment at RCV.NXT, ignores "
           "other RSTs and ACKs everything else. Knob `time_wait_exact_only`."),
    "reqsk": ("RFC 9293 3.10.7.4 fourth check: a SYN in SYN-RECEIVED of a passive open \"return[s] "
              "this connection to the LISTEN state\"; Linux's request socket (tcp_check_req) "
              "resends the SYN-ACK for the peer's SYN again and answers a SYN in the window with a "
              "reset. Knob `syn_recv_request_sock`."),
    "right": ("RFC 9293 Table 6: \"RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND\"; Linux's tcp_sequence() "
              "also accepts SEG.SEQ = RCV.NXT+RCV.WND. Knob `seq_right_edge_inclusive`."),
    "noack": ("RFC 9293 3.10.7.4 answers an unacceptable segment with an ACK before it looks at the "
              "ACK bit; Linux discards a segment without ACK, RST and SYN first. Knob "
              "`no_ack_dropped_first`."),
    "endok": ("RFC 9293 Table 6: a FIN at RCV.NXT-1 is not acceptable; Linux's tcp_sequence() counts "
              "the FIN in the segment's end, so it passes and its ACK is processed. Knob "
              "`seq_end_at_rcv_nxt`."),
    "queue": ("RFC 9293 Table 6 accepts a segment whose first octet is in the window; Linux's "
              "tcp_sequence() (6.17 on) drops data sticking out of the window with an ACK while the "
              "receive queue (here the unread FIN) is not empty. Knob `rcv_queue_end_check`."),
    "afterfin": ("RFC 9293 3.10.7.4 seventh, CLOSE-WAIT: \"Ignore the segment text\"; Linux resets "
                 "the connection when data goes past the peer's FIN (tcp_rcv_state_process, \"RFC "
                 "1122 says we MUST send a reset\"). Knob `data_after_fin_rst`."),
    "rstm1": ("RFC 5961 3.2 (2): only a RST exactly at RCV.NXT resets; Linux's tcp_reset_check() "
              "also takes RCV.NXT-1 after the peer's FIN. Knob `rst_rcv_nxt_minus_one`."),
}


def why_matrix(cid, f):
    if "ooo_ack_at_once" in f.get("message", ""):
        return WHY["ooo"]
    parts = cid.split(".")
    state, cell = parts[1], ".".join(parts[2:])
    msg = f.get("message", "")
    if "Flags [F.]" in msg:
        return WHY["rto"] + " (Linux retransmitted its FIN before the model's 1 s RTO.)"
    if state == "time-wait":
        return KNOB["tw"]
    if state == "syn-sent":
        return WHY["simopen"] if cell == "syn" else WHY["synsent"]
    if state == "syn-received" and cell.startswith("syn"):
        return KNOB["reqsk"]
    if "left-edge-minus-1" in cell:
        if cell.startswith("fin-ack"):
            return KNOB["endok"]
        if cell.startswith("fin"):
            return KNOB["noack"]
        if cell.startswith("rst"):
            return KNOB["rstm1"]
        if cell.startswith("data"):
            return KNOB["afterfin"]
    if state in ("close-wait", "closing") and cell.startswith("data"):
        return KNOB["queue"]
    if "just-past" in cell:
        return KNOB["right"]
    if cell.startswith("fin."):
        return KNOB["noack"]
    return "Not analysed yet."


def why(cid, f):
    k = CASES.get(cid)
    if k:
        return WHY[k]
    if cid.startswith("state-event."):
        return why_matrix(cid, f)
    msg = f.get("message", "") + " " + f.get("rule", "")
    if "ooo_ack_at_once" in msg:
        return WHY["ooo"]
    if "adopts rto_min" in msg or "adopts rto_initial" in msg:
        return WHY["rto"]
    if "predicted nothing" in msg and ("timer is due" in msg or "SEND" in msg or "RST outside" in msg
                                      or "checksum" in msg or "PAWS" in msg or "CLOSE" in msg):
        return WHY["rto"] + " (A retransmission came before the model's 1 s RTO.)"
    return "Not analysed yet."


def gen(src, dst):
    d, fails = model_failures(src)
    lines = [
        "# Linux against RFC 9293: the deviations",
        "",
        "<!-- generated by tools/deviations.sh from a real run; do not edit by hand -->",
        "",
        "Generated by `tools/deviations.sh`: every suite case run against the local Linux kernel "
        "with the reference model's strict `rfc9293` profile (`tcpconform run --profile rfc9293`) "
        "as the second judge. Each case below is one where the model (RFC 9293 with RFC 5961, "
        "RFC 7323, RFC 6298 and RFC 1122 read strictly) and Linux disagree; `--profile linux` "
        "models each difference with a knob of `suites/profiles/linux.yaml`, and with it the same "
        "suites run without model failures (tests/run-all.sh section 4). Each difference has "
        "the level of the requirement it departs from: a MUST-level one makes the case `fail` "
        "(and is listed, failure by failure, in suites/baselines/linux.yaml); a SHOULD-level one "
        "makes it `warn`, and the model adopts Linux's choice and judges the rest of the case "
        "(docs/model.md \"Alternatives\"). Messages quote the case's first MUST-level "
        "difference, else its first SHOULD-level one.",
        "",
        "Run: tcpconform %s, seed %s, %d case runs, %d cases with model failures." % (
            d.get("version", "?"), d.get("seed", "?"), len(d.get("cases", [])), len(fails)),
        "",
        "| case | families | level | requirement | judge | rule |",
        "|---|---|---|---|---|---|",
    ]
    for cid in sorted(fails, key=lambda c: (fails[c]["f"].get("level", "MUST") != "MUST", c)):
        e = fails[cid]
        rule = e["f"].get("rule", "").replace("|", "/")
        lines.append("| [%s](#%s) | %s | %s | %s | %s | %s |" % (
            cid, cid.replace(".", ""), ", ".join(sorted(e["families"])),
            e["f"].get("level", "MUST"), e["f"].get("req", "") or "-", e["f"].get("judge"), rule))
    lines.append("")
    for cid in sorted(fails):
        e = fails[cid]
        f = e["f"]
        lines += [
            "## %s" % cid,
            "",
            "%s (`%s`, step %s)." % (e["title"], e["file"], f.get("step")),
            "",
            "- Level: %s%s" % (f.get("level", "MUST"), (" (%s)" % f["req"]) if f.get("req") else ""),
            "- What happened: %s" % f.get("message", "").replace("\n", " "),
            "- Rule the model applied: %s" % f.get("rule", ""),
            "- Why: %s" % why(cid, f),
            "",
        ]
    with open(dst, "w") as o:
        o.write("\n".join(lines))
    print("deviations: %d cases with model failures written to %s" % (len(fails), dst))


def check(src, doc):
    _, fails = model_failures(src)
    text = open(doc).read()
    missing = [c for c in sorted(fails) if ("## %s\n" % c) not in text]
    for c in missing:
        print("not in %s: %s (%s)" % (doc, c, fails[c]["f"].get("message", "")[:200]))
    print("deviations: %d cases with model failures, %d not listed in %s" % (
        len(fails), len(missing), doc))
    return 1 if missing else 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "gen":
        gen(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], sys.argv[3]))
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)
