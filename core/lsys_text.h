/*
 * lsys_text.h — the text functions of "sesslua.sys" (lsys_text.c):
 * display widths and aligned table lines. luaopen_sesslua_sys adds them to
 * the module's table. Not a public header.
 */
#ifndef SESSLUA_LSYS_TEXT_H
#define SESSLUA_LSYS_TEXT_H

#include <lauxlib.h>

/* sys.width, sys.cp_width, sys.align_rows. */
extern const luaL_Reg lsys_text_funcs[];

#endif
