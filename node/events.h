/* events.h -- the attack log: one JSON line per attack, appended to the events file.
 * The file is reopened on SIGHUP so log rotation works; writes are whole lines. */
#ifndef EVENTS_H
#define EVENTS_H
#include <stddef.h>
#include "decide.h"
#include <cjson/cJSON.h>

/* Opens (or switches to) path for appending; NULL path turns events off. 0 or -1 with err. */
int  events_open(const char *path, char *err, size_t errlen);
/* One line per attack of r (hits of one class at one place count once); returns lines
 * written, -1 on a write error. */
int  events_write(const decide_result *r);
/* Renders one hit as a JSON line (with '\n'); malloc'd, NULL when out of memory. */
char *events_format(const decide_result *r, int hit, const char *when);
void events_close(void);

/* Other events (discovery, vulnerability, brute_force, ...): a new object holding "time" and
 * "type", for the caller to fill and hand to events_emit, which writes it as one line and frees it.
 * events_emit returns 1 when written, 0 when events are off, -1 on an error. */
cJSON *events_new(const char *type);
int    events_emit(cJSON *o);
/* Adds the fields naming the message: request_id, connector, application, host, client. */
void   events_add_message(cJSON *o, const decide_result *r);
/* 1 when an events file is open (callers skip building events otherwise). */
int    events_enabled(void);

#endif
