#ifndef TATTLE_VERSION_H
#define TATTLE_VERSION_H
#define TATTLE_VERSION "0.1.0"
#endif
