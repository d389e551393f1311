# slope — build, test, benchmark. `make run` and `make test` are the two commands a
# newcomer needs; both install missing Debian packages first (`make deps`).

BUILD   ?= build
PREFIX  ?= /usr/local
CC      ?= cc
LUA     ?= lua5.4
PKGS     = lua5.4 readline check openblas lapacke

WARN     = -Wall -Wextra -Wshadow -Wundef -Wwrite-strings -Wmissing-prototypes \
           -Wstrict-prototypes -Wdouble-promotion
OPT     ?= -O2 -march=x86-64-v2 -g
SAN     ?=
WERROR  ?=
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs lua5.4 openblas lapacke 2>/dev/null)
CFLAGS  += -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(OPT) $(WARN) -fPIC -fopenmp -fno-math-errno \
           -MMD -MP $(SAN) $(WERROR) $(PKG_CFLAGS) -Isrc/core -Isrc/lua -Isrc/mpi -Itests/unit -I$(BUILD)/gen
LDFLAGS += -fopenmp $(SAN)
LIBS_CORE = $(shell pkg-config --libs openblas lapacke 2>/dev/null) -lm
# The interpreter links Lua statically (a Lua->C call is ~40% cheaper than through
# the shared library's PLT); -Wl,-E still exports the API for C modules.
LUA_STATIC = $(wildcard $(shell pkg-config --variable=libdir lua5.4 2>/dev/null)/liblua5.4.a)
LIBS_EXE  = $(if $(LUA_STATIC),$(LUA_STATIC) -ldl,$(shell pkg-config --libs lua5.4 2>/dev/null)) \
            $(shell pkg-config --libs openblas lapacke readline 2>/dev/null) -lm -ldl
LIBS_CHECK = $(shell pkg-config --libs check 2>/dev/null)
# Open MPI (optional): `MPI=0` builds without it. slope never links libmpi; the
# MPI calls live in a plugin, $(BUILD)/slope_mpi.so, which src/lua/lmpi.c
# dlopens only under mpirun (single-process start-up stays as it was).
MPI       ?= $(if $(shell pkg-config --exists ompi-c 2>/dev/null && echo y),1,0)
MPI_CFLAGS = $(shell pkg-config --cflags ompi-c 2>/dev/null)
MPI_LIBS   = $(shell pkg-config --libs ompi-c 2>/dev/null)
PLUGIN     = $(if $(filter 1,$(MPI)),$(BUILD)/slope_mpi.so)

CORE_SRC  = $(sort $(wildcard src/core/*.c))
LUA_SRC   = $(sort $(wildcard src/lua/*.c))
CLI_SRC   = $(sort $(wildcard src/cli/*.c))
LUA_LIB   = $(sort $(wildcard lua/slope/*.lua))
UNIT_SRC  = $(sort $(wildcard tests/unit/check_*.c))

CORE_OBJ  = $(CORE_SRC:%.c=$(BUILD)/%.o)
LUA_OBJ   = $(LUA_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/embedded.o
CLI_OBJ   = $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_OBJ  = $(UNIT_SRC:%.c=$(BUILD)/%.o)

# The number parser is a small C++ unit over fast_float (header-only): built
# without exceptions or RTTI, it needs nothing from libstdc++ and links with cc.
CORE_CXX_SRC = $(sort $(wildcard src/core/*.cc))
CORE_OBJ    += $(CORE_CXX_SRC:%.cc=$(BUILD)/%.o)
$(BUILD)/src/core/%.o: src/core/%.cc
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 $(OPT) -Wall -Wextra -fPIC -fno-exceptions -fno-rtti -MMD -MP $(SAN) \
	  $(WERROR) -Isrc/core -c -o $@ $<

LIB  = $(BUILD)/libslope.a
EXE  = $(BUILD)/slope
MOD  = $(BUILD)/slope.so
UNIT = $(BUILD)/check_slope

.PHONY: all deps run test test-unit test-lua test-cli bench asan lint coverage install clean layers \
        docs format

all: $(LIB) $(EXE) $(MOD) $(UNIT) $(PLUGIN)

deps:
	@sh scripts/deps.sh

$(LIB): $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(EXE): $(CLI_OBJ) $(LUA_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LUA_OBJ) $(LIB) $(LIBS_EXE) -Wl,-E

$(MOD): $(LUA_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -shared -o $@ $(LUA_OBJ) $(LIB) $(LIBS_CORE) -ldl

$(BUILD)/slope_mpi.so: src/mpi/sl_mpi_plugin.c src/mpi/sl_mpi_api.h
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(OPT) $(WARN) -fPIC -shared $(SAN) $(WERROR) $(MPI_CFLAGS) -Isrc/mpi \
	  -o $@ $< $(MPI_LIBS)

$(UNIT): $(UNIT_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(UNIT_OBJ) $(LIB) $(LIBS_CHECK) $(LIBS_CORE)

$(BUILD)/%.o: %.c | $(BUILD)/gen/modules.h $(BUILD)/gen/suites.h $(BUILD)/gen/prefix.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# The core must never see Lua: compile it without Lua's include path.
$(BUILD)/src/core/%.o: src/core/%.c
	@mkdir -p $(dir $@)
	@if grep -nE '#include *[<"](lua|lauxlib|lualib)\.h' $<; then \
	  echo "$<: the core must not include Lua headers"; exit 1; fi
	$(CC) $(filter-out $(shell pkg-config --cflags lua5.4 2>/dev/null),$(CFLAGS)) -c -o $@ $<

# Pure-Lua parts of the library, compiled into the binary and the module.
$(BUILD)/gen/embedded.c: scripts/embed.lua $(LUA_LIB)
	@mkdir -p $(dir $@)
	$(LUA) scripts/embed.lua $@ $(LUA_LIB)

# The list of binding modules (every `int sl_open_<name>(lua_State *L, int slope)`)
# and of Check suites (every `Suite *<name>_suite(void)`), rewritten only when changed.
$(BUILD)/gen/modules.h: FORCE
	@mkdir -p $(dir $@)
	@grep -ho '^int sl_open_[a-z0-9_]*(lua_State \*L, int slope)' $(LUA_SRC) /dev/null \
	  | sed 's/^int \(sl_open_[a-z0-9_]*\).*/SL_MODULE(\1)/' | LC_ALL=C sort > $@.tmp
	@cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp
$(BUILD)/gen/suites.h: FORCE
	@mkdir -p $(dir $@)
	@grep -ho '^Suite \*[a-z0-9_]*_suite(void)' $(UNIT_SRC) /dev/null \
	  | sed 's/^Suite \*\([a-z0-9_]*_suite\).*/SL_SUITE(\1)/' | LC_ALL=C sort > $@.tmp
	@cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp
# Where `make install` puts the data sets, for slope.data.load (rebuilt when PREFIX changes).
$(BUILD)/gen/prefix.h: FORCE
	@mkdir -p $(dir $@)
	@echo '#define SL_DATADIR "$(PREFIX)/share/slope/data"' > $@.tmp
	@cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp
FORCE:

run: deps all
	$(EXE) examples/tour.lua

test: deps all
	@sh tests/run_all.sh $(BUILD)

test-unit: all
	CK_FORK=yes $(UNIT)
test-lua: all
	$(EXE) tests/lua/run.lua tests/lua/*_spec.lua
test-cli: all
	sh tests/cli/run.sh $(BUILD)

bench: all
	@sh scripts/deps.sh bench
	@sh scripts/bench/run.sh $(BUILD)

# AddressSanitizer + UBSan build in its own directory, then every test on it.
asan:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" all
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 SLOPE_ASAN=1 \
	  sh tests/run_all.sh build-asan

# luacheck (.luacheckrc) on the Lua code, and the C style checked without changing files.
C_FILES = src/core/*.[ch] src/lua/*.[ch] src/mpi/*.[ch] src/cli/*.[ch] tests/unit/*.[ch] scripts/bench/*.c
lint:
	@sh scripts/deps.sh lint
	luacheck -q lua tests/lua tests/mpi tests/cli/*.lua examples scripts/*.lua
	clang-format --dry-run -Werror $(C_FILES)

# Line coverage of every test (gcov/lcov for C, a line hook for the Lua library):
# a --coverage build in build-cov/, the tests on it, a summary in build-cov/coverage.txt.
coverage:
	@sh scripts/deps.sh coverage
	@$(MAKE) --no-print-directory BUILD=build-cov OPT="-O0 -g" SAN="--coverage" all
	@sh scripts/coverage.sh build-cov

# Fuzzing (tests/fuzz/README): libFuzzer harnesses for the CSV, LIBSVM and .npy readers, the
# checkpoint parser and the resume path, built with clang, ASan and UBSan (the core and the
# bindings too, in build-fuzz/), each run FUZZ_SECONDS from its seed corpus; any crash, leak,
# hang (10 s per input) or out-of-memory (2 GB) fails. `make fuzz-seeds` rewrites the resume
# (and checkpoint) seeds from the runs the resume harness resumes.
FUZZ_SECONDS ?= 180
FUZZ_TARGETS ?= csv libsvm npy checkpoint resume
FUZZ_MAKE     = $(MAKE) --no-print-directory BUILD=build-fuzz CC=clang CXX=clang++ \
                OPT="-O1 -g -fno-omit-frame-pointer -Wno-double-promotion -Wno-pass-failed" \
                SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link"
.PHONY: fuzz fuzz-build fuzz-seeds clean-fuzz
fuzz:
	@sh scripts/deps.sh fuzz
	@$(FUZZ_MAKE) fuzz-build
	@sh tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)
fuzz-seeds:
	@sh scripts/deps.sh fuzz
	@$(FUZZ_MAKE) build-fuzz/fuzz/fuzz_resume
	rm -f tests/fuzz/corpus/resume/v*
	SLOPE_FUZZ_SEEDS=tests/fuzz/corpus/resume OMP_NUM_THREADS=1 build-fuzz/fuzz/fuzz_resume
	rm -f tests/fuzz/corpus/checkpoint/v* && cp tests/fuzz/corpus/resume/v* tests/fuzz/corpus/checkpoint/
fuzz-build: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)
FUZZ_H = tests/fuzz/fuzz_input.h tests/fuzz/fuzz_lua.h
C_FILES += tests/fuzz/*.[ch]
$(BUILD)/fuzz/fuzz_csv $(BUILD)/fuzz/fuzz_libsvm $(BUILD)/fuzz/fuzz_npy: $(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_H) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(LIB) $(LIBS_CORE)
$(BUILD)/fuzz/fuzz_checkpoint $(BUILD)/fuzz/fuzz_resume: $(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_H) $(LUA_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(LUA_OBJ) $(LIB) $(LIBS_EXE)
clean: clean-fuzz
clean-fuzz:
	rm -rf build-fuzz
-include $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%.d)

docs: all
	$(EXE) scripts/gendoc.lua > docs/API.md

# Apply the house C style (.clang-format) to every C file.
format:
	clang-format -i $(C_FILES)

layers:
	@! grep -nE '#include *[<"](lua|lauxlib|lualib)\.h' src/core/*.c src/core/*.h

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/lua/5.4 \
	  $(DESTDIR)$(PREFIX)/share/doc/slope $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/slope \
	  $(DESTDIR)$(PREFIX)/share/slope/data
	install -m 755 $(EXE) $(DESTDIR)$(PREFIX)/bin/slope
	install -m 644 $(MOD) $(DESTDIR)$(PREFIX)/lib/lua/5.4/slope.so
	$(if $(PLUGIN),install -d $(DESTDIR)$(PREFIX)/lib/slope && install -m 644 $(PLUGIN) $(DESTDIR)$(PREFIX)/lib/slope/)
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libslope.a
	install -m 644 $(filter-out %_priv.h,$(wildcard src/core/sl_*.h)) $(DESTDIR)$(PREFIX)/include/slope/
	install -m 644 README.md docs/*.md $(DESTDIR)$(PREFIX)/share/doc/slope/
	install -m 644 examples/data/*.csv examples/data/README.md $(DESTDIR)$(PREFIX)/share/slope/data/

clean:
	rm -rf build build-asan build-cov out

-include $(CORE_OBJ:.o=.d) $(LUA_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_OBJ:.o=.d)
