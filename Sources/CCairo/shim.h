#ifndef FLEXYVISMA_CCAIRO_SHIM_H
#define FLEXYVISMA_CCAIRO_SHIM_H

/* Debian's libcairo2-dev (pkg-config cairo: -I/usr/include/cairo). */
#include <cairo.h>
#include <cairo-pdf.h>

#endif
