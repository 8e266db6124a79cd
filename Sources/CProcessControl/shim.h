#ifndef FLEXYVISMA_CPROCESSCONTROL_SHIM_H
#define FLEXYVISMA_CPROCESSCONTROL_SHIM_H

#include <sys/prctl.h>

/* prctl is variadic, which Swift cannot call: one wrapper per use. */

static inline int fv_set_not_dumpable(void) {
    return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static inline int fv_is_dumpable(void) {
    return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
}

#endif
