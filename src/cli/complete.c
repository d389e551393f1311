/*
** complete.c — Tab completion for the REPL: globals and keywords (`pri` →
** `print(`), fields of nested tables (`slope.vec.ze` → `slope.vec.zeros(`),
** an object's methods only (`x:no` → `x:norm(` for a vec x, its constructors
** left out), fields of userdata (`f.di` → `f.dim`: the names its metatable's
** __fields lists, and the members kept in the user value that __members
** numbers), names after `?` for help (`?slope.op` → `?slope.optim`, no "("
** added), and file names inside a string literal (`io.open("examples/da` →
** `io.open("examples/data.csv"`).
**
** Lookups are raw accesses to tables, metatables and user values. The one
** exception is a path that crosses a userdata field (`s.x:no`): its __index
** function is called, under a protected call and an instruction budget, so a
** broken or endless __index costs the candidates, never the session.
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

#define META_DEPTH 8            /* __index chains followed at most this deep */
#define BUDGET     100000       /* Lua instructions an __index call may run */
#define HELPDB     "slope.help" /* registry table: value -> {name, sig, doc} */

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

/* Push v[key]: a raw field of a table, else the same lookup in its
   metatable's __methods and __index tables, else its __index function
   called (the caller protects the call). Pushes nil when nothing is found. */
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
      int t = lua_rawget(L, -2);
      if (t == LUA_TTABLE) {
        lookup(L, -1, key, depth + 1);
        if (!lua_isnil(L, -1)) {
          lua_replace(L, -3); /* result over the metatable */
          lua_pop(L, 1);
          return;
        }
        lua_pop(L, 1);
      } else if (t == LUA_TFUNCTION && i == 1) {
        lua_pushvalue(L, v);
        lua_pushvalue(L, key);
        lua_call(L, 2, 1);
        lua_replace(L, -2); /* result over the metatable */
        return;
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
  int methods; /* after ':': methods only */
  int object;  /* members of a value that is not a table: constructors left out */
  int paren;   /* append "(" to functions (not after `?`) */
  int out;     /* stack index of the candidate list */
  int seen;    /* stack index of the set of names already added */
  int db;      /* stack index of the help table (nil when absent) */
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
  if (isfunc && q->paren) luaL_addchar(&b, '(');
  luaL_pushresult(&b);
  lua_rawseti(L, q->out, (lua_Integer)lua_rawlen(L, q->out) + 1);
}

/* Whether the function at idx is a constructor rather than a method: its
   help signature calls it by a dotted path ("slope.vec.zeros(n)"), where a
   method's reads "x:norm([p])". Functions without help count as methods. */
static int is_constructor(lua_State *L, const query *q, int idx) {
  if (!lua_istable(L, q->db)) return 0;
  idx = lua_absindex(L, idx);
  lua_pushvalue(L, idx);
  int ctor = 0;
  if (lua_rawget(L, q->db) == LUA_TTABLE) {
    lua_pushliteral(L, "sig");
    if (lua_rawget(L, -2) == LUA_TSTRING) {
      const char *sig = lua_tostring(L, -1);
      size_t callee = strcspn(sig, "({ [");
      ctor = memchr(sig, ':', callee) == NULL;
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return ctor;
}

static int extends(const query *q, const char *k, size_t n) {
  return n >= q->lpart && memcmp(k, q->part, q->lpart) == 0 && is_ident(k, n) &&
         (k[0] != '_' || (q->lpart > 0 && q->part[0] == '_')); /* _private only when asked */
}

/* Names in table t that extend the partial name. */
static void add_keys(lua_State *L, const query *q, int t) {
  t = lua_absindex(L, t);
  lua_pushnil(L);
  while (lua_next(L, t)) {
    size_t n;
    if (lua_type(L, -2) == LUA_TSTRING) {
      const char *k = lua_tolstring(L, -2, &n);
      int isfunc = lua_isfunction(L, -1);
      if (extends(q, k, n) && (!q->methods || isfunc) &&
          !(isfunc && q->object && is_constructor(L, q, -1)))
        add(L, q, k, n, isfunc);
    }
    lua_pop(L, 1);
  }
}

/* The field names a metatable's __fields declares: a list of strings or one
   string of names separated by blanks or commas (`"dim n name"`). */
static void add_fields(lua_State *L, const query *q, int mt) {
  lua_pushliteral(L, "__fields");
  int t = lua_rawget(L, mt);
  if (t == LUA_TSTRING) {
    const char *s = lua_tostring(L, -1);
    while (*s) {
      size_t skip = strspn(s, " \t\n,"), n = strcspn(s + skip, " \t\n,");
      if (n > 0 && extends(q, s + skip, n)) add(L, q, s + skip, n, 0);
      s += skip + n;
    }
  } else if (t == LUA_TTABLE) {
    for (lua_Integer i = 1; lua_rawgeti(L, -1, i) == LUA_TSTRING; i++) {
      size_t n;
      const char *k = lua_tolstring(L, -1, &n);
      if (extends(q, k, n)) add(L, q, k, n, 0);
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

/* A userdata's own members: the table in the user value its metatable's
   __members names (objectives keep their model's extra methods and fields
   there: f:predict, f.layout). */
static void add_uservalue(lua_State *L, const query *q, int v, int mt) {
  lua_pushliteral(L, "__members");
  int isnum;
  lua_Integer k = lua_rawget(L, mt) == LUA_TNUMBER ? lua_tointegerx(L, -1, &isnum) : 0;
  lua_pop(L, 1);
  if (k >= 1 && k <= 255 && lua_type(L, v) == LUA_TUSERDATA) {
    if (lua_getiuservalue(L, v, (int)k) == LUA_TTABLE) add_keys(L, q, -1);
    lua_pop(L, 1);
  }
}

/* The members of v: its own fields, then the fields its metatable declares,
   then what its metatables' __methods and __index tables provide. */
static void add_members(lua_State *L, const query *q, int v, int depth) {
  v = lua_absindex(L, v);
  if (lua_istable(L, v)) add_keys(L, q, v);
  if (depth >= META_DEPTH || !lua_getmetatable(L, v)) return;
  int mt = lua_gettop(L);
  if (depth == 0) add_uservalue(L, q, v, mt);
  if (!q->methods) add_fields(L, q, mt);
  lua_pushliteral(L, "__methods");
  if (lua_rawget(L, mt) == LUA_TTABLE) add_members(L, q, -1, depth + 1);
  lua_pop(L, 1);
  lua_pushliteral(L, "__index");
  if (lua_rawget(L, mt) == LUA_TTABLE) add_members(L, q, -1, depth + 1);
  lua_pop(L, 2);
}

/* collect(text, help) -> {candidate, ...}: completions of a Lua name path;
   help: the line is `?name`, so functions get no "(". */
static int l_collect(lua_State *L) {
  size_t len;
  const char *text = luaL_checklstring(L, 1, &len);
  int help = lua_toboolean(L, 2);
  lua_settop(L, 1);
  lua_newtable(L);                            /* 2: candidates */
  lua_newtable(L);                            /* 3: names seen */
  lua_getfield(L, LUA_REGISTRYINDEX, HELPDB); /* 4: help table */
  query q = {text, 0, text, len, 0, 0, !help, 2, 3, 4};
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
    q.object = q.methods || !lua_istable(L, -1);
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

/* The instruction budget of a completion: a count hook that raises. */
static void budget_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  luaL_error(L, "completion ran too long");
}

/* Gather candidates for text under a protected call (nothing may escape from
   a Readline callback) and an instruction budget; the REPL's hook, if any, is
   put back after. */
static void gather(const char *text, int help) {
  lua_State *L = complete_L;
  free_cands();
  if (L == NULL || !lua_checkstack(L, 8)) return;
  int top = lua_gettop(L);
  lua_Hook hook = lua_gethook(L);
  int mask = lua_gethookmask(L), count = lua_gethookcount(L);
  lua_sethook(L, budget_hook, LUA_MASKCOUNT, BUDGET);
  lua_pushcfunction(L, l_collect);
  lua_pushstring(L, text);
  lua_pushboolean(L, help);
  int status = lua_pcall(L, 2, 1, 0);
  lua_sethook(L, hook, mask, count);
  if (status == LUA_OK && lua_istable(L, -1)) {
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

/* Whether the word at start follows a `?` that opens the line (help syntax). */
static int after_help_mark(int start) {
  int i = 0;
  while (i < start && (rl_line_buffer[i] == ' ' || rl_line_buffer[i] == '\t')) i++;
  if (i >= start || rl_line_buffer[i] != '?') return 0;
  for (i++; i < start; i++)
    if (rl_line_buffer[i] != ' ' && rl_line_buffer[i] != '\t') return 0;
  return 1;
}

static char **attempt(const char *text, int start, int end) {
  (void)end;
  rl_attempted_completion_over = 1; /* never fall back to Readline's file names */
  rl_completion_append_character = '\0';
  if (rl_completion_quote_character) /* inside a string: a file name */
    return rl_completion_matches(text, rl_filename_completion_function);
  gather(text, after_help_mark(start));
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

#define LUA_BREAKS    " \t\n\"'`@$><=;|&{}()[],+-*/%^~#?"
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
