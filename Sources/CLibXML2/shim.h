#ifndef FLEXYVISMA_CLIBXML2_SHIM_H
#define FLEXYVISMA_CLIBXML2_SHIM_H

#include <libxml/xmlversion.h>
/* Debian builds libxml2 with ICU; its headers clash with Foundation's bundled ICU module.
   Nothing here touches the ICU-only fields of xmlCharEncodingHandler. */
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>

/* xmlFree is a global function pointer, which Swift 6 refuses to read as shared mutable state. */
static inline void flexyvisma_xml_free(void *pointer) { xmlFree(pointer); }

#endif
