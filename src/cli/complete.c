/*
** complete.c — Tab completion for the REPL: globals and keywords (`pri` →
** `print(`), fields of nested tables (`slope.vec.ze` → `slope.vec.zeros(`),
** methods of objects (`x:no` → `x:norm(` for a vec x), walking metatables'
** __methods and __index tables, and file names inside a string literal
** (`io.open("examples/da` → `io.open("examples/data.csv"`). Lookups use raw
** accesses and metatable tables only: completing never runs Lua code.
*/
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/readline.h>

#include <lauxlib.h>
#include <lua.h>

#include "cli.h"

/* Readline's callbacks take no context: the state they complete against. */
static lua_State *complete_L = NULL;
/* Candidates of the current completion, handed out by generator(). */
static char **cands = NULL;
static size_t ncands = 0, next_cand = 0;

#define META_DEPTH 8 /* __index chains followed at most this deep */

static const char *const keywords[] = {"and",   "break", "do",       "else",  "elseif", "end",
                                       "false", "for",   "function", "goto",  "if",     "in",
                                       "local", "nil",   "not",      "or",    "repeat", "return",
                                       "then",  "true",  "until",    "while", NULL};

static int is_ident(const char *s, size_t n) {
  if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_')) return 0;
  for (size_t i = 1; i < n; i++)
    if (!(isalnum((unsigned char)s[i]) || s[i] == '_')) return 0;
  return 1;
}

/* Push v[key] found without running code: a raw field of a table, else the
   same lookup in its metatable's __methods and __index tables. */
static void lookup(lua_State *L, int v, int key, int depth) {
  v = lua_absindex(L, v);
  key = lua_absindex(L, key);
  if (lua_istable(L, v)) {
    lua_pushvalue(L, key);
    if (lua_rawget(L, v) != LUA_TNIL) return;
    lua_pop(L, 1);
  }
  if (depth < META_DEPTH && lua_getmetatable(L, v)) {
    static const char *const fields[] = {"__methods", "__index"};
    for (int i = 0; i < 2; i++) {
      lua_pushstring(L, fields[i]);
      if (lua_rawget(L, -2) == LUA_TTABLE) {
        lookup(L, -1, key, depth + 1);
        if (!lua_isnil(L, -1)) {
          lua_replace(L, -3); /* result over the metatable */
          lua_pop(L, 1);
          return;
        }
        lua_pop(L, 1);
      }
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  lua_pushnil(L);
}

typedef struct {
  const char *prefix; /* text before the partial name ("slope.vec.") */
  size_t lprefix;
  const char *part; /* the partial name ("ze") */
  size_t lpart;
  int methods; /* after ':': functions only */
  int out;     /* stack index of the candidate list */
  int seen;    /* stack index of the set of names already added */
} query;

static void add(lua_State *L, const query *q, const char *name, size_t n, int isfunc) {
  lua_pushlstring(L, name, n);
  if (lua_rawget(L, q->seen) != LUA_TNIL) {
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  lua_pushlstring(L, name, n);
  lua_pushboolean(L, 1);
  lua_rawset(L, q->seen);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  luaL_addlstring(&b, q->prefix, q->lprefix);
  luaL_addlstring(&b, name, n);
  if (isfunc) luaL_addchar(&b, '(');
  luaL_pushresult(&b);
  lua_rawseti(L, q->out, (lua_Integer)lua_rawlen(L, q->out) + 1);
}

/* Names in table t that extend the partial name; private (_x) ones only when asked. */
static void add_keys(lua_State *L, const query *q, int t) {
  t = lua_absindex(L, t);
  lua_pushnil(L);
  while (lua_next(L, t)) {
    size_t n;
    if (lua_type(L, -2) == LUA_TSTRING) {
      const char *k = lua_tolstring(L, -2, &n);
      int isfunc = lua_isfunction(L, -1);
      if (n >= q->lpart && memcmp(k, q->part, q->lpart) == 0 && is_ident(k, n) &&
          (k[0] != '_' || (q->lpart > 0 && q->part[0] == '_')) && (!q->methods || isfunc))
        add(L, q, k, n, isfunc);
    }
    lua_pop(L, 1);
  }
}

/* The members of v: its own fields, then what its metatables' __methods and
   __index tables provide. */
static void add_members(lua_State *L, const query *q, int v, int depth) {
  v = lua_absindex(L, v);
  if (lua_istable(L, v)) add_keys(L, q, v);
  if (depth >= META_DEPTH || !lua_getmetatable(L, v)) return;
  lua_pushliteral(L, "__methods");
  if (lua_rawget(L, -2) == LUA_TTABLE) add_members(L, q, -1, depth + 1);
  lua_pop(L, 1);
  lua_pushliteral(L, "__index");
  if (lua_rawget(L, -2) == LUA_TTABLE) add_members(L, q, -1, depth + 1);
  lua_pop(L, 2);
}

/* collect(text) -> {candidate, ...}: completions of a Lua name path. */
static int l_collect(lua_State *L) {
  size_t len;
  const char *text = luaL_checklstring(L, 1, &len);
  lua_newtable(L);
  lua_newtable(L);
  query q = {text, 0, text, len, 0, 2, 3};
  const char *sep = NULL;
  for (const char *p = text; *p; p++)
    if (*p == '.' || *p == ':') sep = p;
  lua_pushglobaltable(L);
  if (sep != NULL) {
    q.lprefix = (size_t)(sep - text) + 1;
    q.part = sep + 1;
    q.lpart = len - q.lprefix;
    q.methods = *sep == ':';
    for (const char *s = text; s < sep;) {
      const char *e = s;
      while (e < sep && *e != '.' && *e != ':') e++;
      if (!is_ident(s, (size_t)(e - s)) || (e < sep && *e == ':')) return 1; /* not a path */
      lua_pushlstring(L, s, (size_t)(e - s));
      lookup(L, -2, -1, 0);
      lua_remove(L, -2); /* the key */
      lua_remove(L, -2); /* the parent */
      if (lua_isnil(L, -1)) return 1;
      s = e + 1;
    }
  }
  add_members(L, &q, -1, 0);
  if (sep == NULL)
    for (const char *const *k = keywords; *k; k++)
      if (strncmp(*k, text, len) == 0) add(L, &q, *k, strlen(*k), 0);
  lua_settop(L, 2);
  return 1;
}

static void free_cands(void) {
  for (size_t i = next_cand; i < ncands; i++) free(cands[i]);
  free(cands);
  cands = NULL;
  ncands = next_cand = 0;
}

static char *generator(const char *text, int state) {
  (void)text;
  (void)state;
  if (next_cand < ncands) return cands[next_cand++]; /* Readline frees it */
  return NULL;
}

/* Gather candidates for text under a protected call (nothing may escape
   from a Readline callback). */
static void gather(const char *text) {
  lua_State *L = complete_L;
  free_cands();
  if (L == NULL || !lua_checkstack(L, 8)) return;
  int top = lua_gettop(L);
  lua_pushcfunction(L, l_collect);
  lua_pushstring(L, text);
  if (lua_pcall(L, 1, 1, 0) == LUA_OK && lua_istable(L, -1)) {
    size_t n = (size_t)lua_rawlen(L, -1);
    cands = n ? calloc(n, sizeof *cands) : NULL;
    for (size_t i = 0; cands && i < n; i++) {
      lua_rawgeti(L, -1, (lua_Integer)i + 1);
      const char *c = lua_tostring(L, -1);
      cands[ncands] = c ? strdup(c) : NULL;
      if (cands[ncands]) ncands++;
      lua_pop(L, 1);
    }
  }
  lua_settop(L, top);
}

static char **attempt(const char *text, int start, int end) {
  (void)start;
  (void)end;
  rl_attempted_completion_over = 1; /* never fall back to Readline's file names */
  rl_completion_append_character = '\0';
  if (rl_completion_quote_character) /* inside a string: a file name */
    return rl_completion_matches(text, rl_filename_completion_function);
  gather(text);
  char **m = ncands ? rl_completion_matches(text, generator) : NULL;
  free_cands();
  return m;
}

/* List candidates by their last name only ("zeros(" rather than "slope.vec.zeros("). */
static void display(char **matches, int num, int max_length) {
  if (rl_filename_completion_desired) {
    rl_display_match_list(matches, num, max_length);
  } else {
    char **shown = calloc((size_t)num + 2, sizeof *shown);
    if (shown == NULL) return;
    int width = 0;
    for (int i = 0; i <= num; i++) {
      const char *m = matches[i];
      const char *dot = strrchr(m, '.'), *colon = strrchr(m, ':');
      const char *sep = dot > colon ? dot : colon;
      shown[i] = (char *)(sep && i > 0 ? sep + 1 : m);
      int w = (int)strlen(shown[i]);
      if (i > 0 && w > width) width = w;
    }
    rl_display_match_list(shown, num, width);
    free(shown);
  }
  rl_forced_update_display();
}

#define LUA_BREAKS    " \t\n\"'`@$><=;|&{}()[],+-*/%^~#"
#define STRING_BREAKS " \t\n\"'"

/* Inside an unclosed string literal a file name is completed, and '/' or '-'
   must not end it: Readline asks this hook which characters break words. */
static char *word_breaks(void) {
  char quote = 0;
  for (int i = 0; i < rl_point && rl_line_buffer[i]; i++) {
    char c = rl_line_buffer[i];
    if (quote && c == '\\' && i + 1 < rl_point)
      i++;
    else if (quote && c == quote)
      quote = 0;
    else if (!quote && (c == '"' || c == '\''))
      quote = c;
  }
  return (char *)(quote ? STRING_BREAKS : LUA_BREAKS);
}

/* Tab with only blanks before the cursor indents; anywhere else it completes,
   and a second Tab that changed nothing lists the candidates (as Readline's
   own binding does, which checks that the last command was rl_complete). */
static int tab_key(int count, int key) {
  static char *last = NULL;
  static int last_point = -1;
  int blank = 1;
  for (int i = 0; i < rl_point; i++)
    if (!isspace((unsigned char)rl_line_buffer[i])) blank = 0;
  if (blank) {
    rl_insert_text("  ");
    return 0;
  }
  int r;
  if (rl_last_func == tab_key && last != NULL && last_point == rl_point &&
      strcmp(last, rl_line_buffer) == 0)
    r = rl_possible_completions(count, key);
  else
    r = rl_complete(count, key);
  free(last);
  last = strdup(rl_line_buffer);
  last_point = rl_point;
  return r;
}

void sl_complete_init(lua_State *L) {
  complete_L = L;
  rl_attempted_completion_function = attempt;
  rl_completion_display_matches_hook = display;
  /* a name path keeps its '.' and ':'; quotes start a file name */
  rl_basic_word_break_characters = LUA_BREAKS;
  rl_completer_word_break_characters = LUA_BREAKS;
  rl_completion_word_break_hook = word_breaks;
  rl_completer_quote_characters = "\"'";
  rl_bind_key('\t', tab_key);
}
