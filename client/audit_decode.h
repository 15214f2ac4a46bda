/* audit_decode.h - `tattle audit-decode [FILE]`: reassembles auditd log lines
 * or the JSONL capture format (auto-detected per line) from FILE or stdin
 * and prints one JSON object per event on stdout. */
#ifndef TATTLE_AUDIT_DECODE_H
#define TATTLE_AUDIT_DECODE_H

/* argv[0] is the subcommand name.  Returns the exit code: 0 on success,
 * 1 on an I/O error, 2 on bad usage.  Malformed lines are counted and
 * reported on stderr, not fatal. */
int audit_decode_main(int argc, char **argv);

#endif
