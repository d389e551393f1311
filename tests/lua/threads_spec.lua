-- threads_spec.lua — thread counts: every data objective gives the same bits
-- at 1, 2, 3 and 8 threads (slope.threads between evaluations; the script
-- is tests/cli/threads_bits.lua, which threads_test.sh also runs under
-- OMP_NUM_THREADS), and slope.cpu_kernel() names the code path.

describe("data objectives across thread counts", function()
  it("value, gradient, HVP, window, minibatch and per-sample gradients: same bits at 1, 2, 3, 8 threads", function()
    local lines = assert(loadfile("tests/cli/threads_bits.lua"))("lib")
    local before = slope.threads()
    local ok, err = pcall(function()
      local ref = lines(1)
      check.truthy(#ref >= 80, "lines: " .. #ref)
      for _, t in ipairs({2, 3, 8}) do
        local got = lines(t)
        check.eq(#got, #ref)
        for k = 1, #ref do
          if got[k] ~= ref[k] then
            error(("%d threads: %s\n  1 thread: %s"):format(t, got[k]:sub(1, 90), ref[k]:sub(1, 90)))
          end
        end
      end
    end)
    slope.threads(before)
    assert(ok, err)
  end)
end)

describe("slope.cpu_kernel", function()
  it("names the kernels' clone and OpenBLAS's core, with help", function()
    local k = slope.cpu_kernel()
    check.eq(type(k), "string")
    check.truthy(k:match("^x86%-64%-v3; OpenBLAS ") or k:match("^x86%-64; OpenBLAS ") or
      k:match("^portable; OpenBLAS "), k)
    check.eq(slope.cpu_kernel(), k)
  end)
end)
