#ifndef FLEXYVISMA_CPROCESSCONTROL_SHIM_H
#define FLEXYVISMA_CPROCESSCONTROL_SHIM_H

#include <sys/prctl.h>
#include <spawn.h>

/* prctl is variadic, which Swift cannot call: one wrapper per use. */

static inline int fv_set_not_dumpable(void) {
    return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static inline int fv_is_dumpable(void) {
    return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
}

/* glibc 2.34+: the child closes every descriptor from `low` up before exec. */
static inline int fv_spawn_close_from(posix_spawn_file_actions_t *actions, int low) {
    return posix_spawn_file_actions_addclosefrom_np(actions, low);
}

#endif
