-- tour.lua — a short tour of slope: what `make run` shows a newcomer.
local slope = require "slope"

print(slope.version .. " — a numerical-optimization workbench: C kernels, Lua on top\n")

print("Vectors are dense float64, 1-based, updated in place:")
local x = slope.vec{3, 4}
local y = slope.vec.ones(2)
print("  x = " .. tostring(x) .. ",  |x| = " .. x:norm())
x:axpy(0.5, y)
print("  after x:axpy(0.5, y): " .. tostring(x))
print("  arithmetic allocates a new vec: 2*x - y = " .. tostring(2 * x - y))

print("\nMatrices go through CBLAS:")
local A = slope.mat{{2, 1}, {1, 3}}
print("  A*x = " .. tostring(A:mv(x)))

print("\nGenerators are seeded and resumable:")
local r = slope.rng(7)
local s = r:state()
local first = r:normal()
r:set_state(s)
print(("  normal() = %.6f, and again after set_state: %.6f"):format(first, r:normal()))

print("\nTiming with slope.clock():")
local n = 1000000
local big, other = slope.vec.ones(n), slope.vec.ones(n)
local t0 = slope.clock()
for _ = 1, 20 do big:axpy(1e-3, other) end
local dt = slope.clock() - t0
print(("  20 x axpy on 10^6 entries: %.2f ms (%.1f GB/s)"):format(dt * 1e3, 20 * 3 * 8 * n / dt / 1e9))

print("\nhelp(x) documents everything, e.g. help(slope.vec.axpy):")
print("  " .. slope.helptext(slope.vec.axpy):gsub("\n", "\n  "))
