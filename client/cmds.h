/* cmds.h - tattle subcommands.  Each takes argv with argv[0] the
 * subcommand name and returns EXIT_OK, EXIT_RUNTIME or EXIT_USAGE. */
#ifndef TATTLE_CLIENT_CMDS_H
#define TATTLE_CLIENT_CMDS_H

int watch_main(int argc, char **argv);
int top_main(int argc, char **argv);
int ask_main(int argc, char **argv);
int rules_main(int argc, char **argv);
int stats_main(int argc, char **argv);
int metrics_main(int argc, char **argv);

#endif
