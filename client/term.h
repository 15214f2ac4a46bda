/* term.h - the terminal for top and ask: raw keys (no echo, no line
 * buffering), the alternate screen, and signals delivered through a
 * signalfd so the terminal is restored on q, Ctrl-C, SIGTERM or hangup. */
#ifndef TATTLE_CLIENT_TERM_H
#define TATTLE_CLIENT_TERM_H

#include <stdbool.h>
#include <termios.h>

struct term {
	bool tty;		/* stdin is a terminal: raw mode was set */
	bool raw;
	struct termios saved;
	int sigfd;		/* SIGINT, SIGTERM, SIGHUP, SIGWINCH */
	unsigned rows, cols;
};

/* 0 or -errno.  Works (without raw mode) when stdin is not a tty. */
int term_open(struct term *t);
/* Restore the terminal and the signal mask.  Safe to call twice. */
void term_close(struct term *t);
/* Re-read the window size (after SIGWINCH). */
void term_size(struct term *t);

/* Wait up to timeout_ms for the socket fd, a key or a signal.  Returns a
 * mask of TERM_EV_*; 0 on timeout; -errno. */
#define TERM_EV_SOCK	1
#define TERM_EV_KEY	2
#define TERM_EV_QUIT	4	/* SIGINT, SIGTERM, SIGHUP */
#define TERM_EV_RESIZE	8
int term_wait(struct term *t, int sock_fd, int timeout_ms);
/* One key (byte) from stdin, or -1 when none / EOF. */
int term_key(struct term *t);

#endif
