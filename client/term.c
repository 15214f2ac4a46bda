/* term.c - see term.h. */
#include "term.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

static void term_sigset(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGWINCH);
}

void term_size(struct term *t)
{
	struct winsize ws;

	t->rows = 24;
	t->cols = 80;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) {
		t->rows = ws.ws_row;
		t->cols = ws.ws_col;
	}
}

int term_open(struct term *t)
{
	struct termios raw;
	sigset_t set;

	memset(t, 0, sizeof(*t));
	t->sigfd = -1;
	signal(SIGPIPE, SIG_IGN);
	term_sigset(&set);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	t->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (t->sigfd < 0)
		return -errno;
	term_size(t);
	t->tty = isatty(STDIN_FILENO);
	if (t->tty && tcgetattr(STDIN_FILENO, &t->saved) == 0) {
		raw = t->saved;
		/* Keys one at a time, unechoed; ISIG stays so Ctrl-C still
		 * arrives (as a signalfd read) and we restore on the way out. */
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0)
			t->raw = true;
	}
	/* Alternate screen, cursor hidden. */
	fputs("\033[?1049h\033[?25l", stdout);
	fflush(stdout);
	return 0;
}

void term_close(struct term *t)
{
	sigset_t set;

	if (t->sigfd < 0)
		return;
	fputs("\033[?25h\033[?1049l", stdout);
	fflush(stdout);
	if (t->raw)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &t->saved);
	t->raw = false;
	close(t->sigfd);
	t->sigfd = -1;
	term_sigset(&set);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static int term_signal(struct term *t)
{
	struct signalfd_siginfo si;
	int ev = 0;

	while (read(t->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGWINCH) {
			term_size(t);
			ev |= TERM_EV_RESIZE;
		} else {
			ev |= TERM_EV_QUIT;
		}
	}
	return ev;
}

int term_wait(struct term *t, int sock_fd, int timeout_ms)
{
	struct pollfd p[3] = {
		{ .fd = sock_fd, .events = POLLIN },
		{ .fd = t->tty ? STDIN_FILENO : -1, .events = POLLIN },
		{ .fd = t->sigfd, .events = POLLIN },
	};
	int n, ev = 0;

	n = poll(p, 3, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	if (p[0].revents)
		ev |= TERM_EV_SOCK;
	if (p[1].revents & POLLIN)
		ev |= TERM_EV_KEY;
	else if (p[1].revents & (POLLHUP | POLLERR))
		ev |= TERM_EV_QUIT;
	if (p[2].revents)
		ev |= term_signal(t);
	return ev;
}

int term_key(struct term *t)
{
	unsigned char ch;

	(void)t;
	if (read(STDIN_FILENO, &ch, 1) != 1)
		return -1;
	return ch;
}
