-- luacheck configuration (Debian's lua-check): `make lint` runs it on lua/, tests/ and examples/.
std = "lua54"
max_line_length = 130
-- 581: `not (a < b)` is deliberate in numeric code (true for NaN, unlike a >= b);
-- 212/self: methods keep their `self` even when they do not use it.
ignore = { "581", "212/self" }
-- the interpreter preloads slope as a global and installs help()
read_globals = { "slope", "help" }
files["tests/lua"] = {
  -- tests/lua/run.lua defines the busted-style runner's globals
  globals = { "describe", "it", "before_each", "check", "slope" },
  -- tables of cases read best one per line; callbacks keep their full signature;
  -- `local c <close> = obj` exists only to be closed
  max_line_length = 180,
  ignore = { "581", "212", "211/c" },
}
files["tests/lua/run.lua"] = { globals = { "describe", "it", "before_each", "check", "slope" } }
-- the library's chunks receive slope as `...` and add fields to it
files["lua/slope"] = { globals = { "slope" }, max_line_length = 180 } -- help texts and signatures
-- tests/mpi/*_spec.lua run under tests/lua/run.lua too (mpirun, tests/mpi/run.sh)
files["tests/mpi"] = { globals = { "describe", "it", "before_each", "check", "slope" }, max_line_length = 180, ignore = { "581", "212" } }
