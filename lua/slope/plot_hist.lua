-- plot_hist.lua — slope.plot.histogram: histograms of values (e.g. Hessian
-- eigenvalues), weighted spikes {nodes=, weights=} (Ritz values and weights
-- from Lanczos) and densities on a grid {grid=, density=}.
local slope = ...
local plot = slope.plot
local S = plot._svg
local floor, huge = math.floor, math.huge

local KEYS = { file = true, values = true, bins = true, density = true, logy = true, title = true, xlabel = true,
  ylabel = true, width = true, height = true, nodes = true, weights = true, grid = true, range = true }

-- Counts of values in `bins` equal bins over [lo, hi] (the last bin closed).
local function bin_counts(v, bins, lo, hi)
  local c = {}
  for b = 1, bins do c[b] = 0 end
  local w = (hi - lo) / bins
  for _, x in ipairs(v) do
    if x >= lo and x <= hi then
      local b = math.min(bins, floor((x - lo) / w) + 1)
      c[b] = c[b] + 1
    end
  end
  return c, w
end
S.bin_counts = bin_counts

local function histogram(o)
  local fn = "slope.plot.histogram"
  S.checkkeys(o, KEYS, fn)
  local file = S.optstr(o, "file", "out/histogram.svg", fn)
  local width = S.optnum(o, "width", 800, fn, function(v) return v >= 100 and v <= 10000 end, "a number in [100, 10000]")
  local height = S.optnum(o, "height", 500, fn, function(v) return v >= 100 and v <= 10000 end, "a number in [100, 10000]")
  local logy = o.logy and true or false
  local forms = (o.values ~= nil and 1 or 0) + (o.nodes ~= nil and 1 or 0) + (o.grid ~= nil and 1 or 0)
  if forms ~= 1 then S.fail(fn, "give exactly one of values=, nodes= (with weights=), grid= (with density=)") end
  local kind, xs, ys, note, binw
  local left_out = 0
  if o.values ~= nil then
    kind = "bars"
    if o.density ~= nil and type(o.density) ~= "boolean" then S.fail(fn, "density must be a boolean with values=") end
    local v = {}
    for _, x in ipairs(S.numbers(o.values, "values", fn)) do
      if S.finite(x) then v[#v + 1] = x else left_out = left_out + 1 end
    end
    if #v == 0 then S.fail(fn, "values has no finite entries") end
    local bins = S.optnum(o, "bins", math.max(10, math.min(100, math.ceil(math.sqrt(#v)))), fn,
      function(b) return b % 1 == 0 and b >= 1 and b <= 100000 end, "an integer in [1, 100000]")
    local lo, hi = huge, -huge
    for _, x in ipairs(v) do lo, hi = math.min(lo, x), math.max(hi, x) end
    if o.range ~= nil then lo, hi = S.range2(o, "range", fn) end
    if hi <= lo then lo, hi = lo - 0.5, hi + 0.5 end
    local c
    c, binw = bin_counts(v, bins, lo, hi)
    xs, ys = {}, {}
    for b = 1, bins do
      xs[b] = lo + (b - 1) * binw
      ys[b] = o.density and c[b] / (#v * binw) or c[b]
    end
    if left_out > 0 then note = ("%d non-finite value%s left out"):format(left_out, left_out > 1 and "s" or "") end
  elseif o.nodes ~= nil then
    kind = "spikes"
    xs = S.numbers(o.nodes, "nodes", fn)
    ys = S.numbers(o.weights, "weights", fn)
    if #xs ~= #ys then S.fail(fn, "%d nodes but %d weights", #xs, #ys) end
    for i = 1, #xs do
      if not S.finite(xs[i]) then S.fail(fn, "nodes[%d] must be finite", i) end
      if not (S.finite(ys[i]) and ys[i] >= 0) then S.fail(fn, "weights[%d] must be a finite number >= 0", i) end
    end
  else
    kind = "line"
    xs = S.numbers(o.grid, "grid", fn)
    ys = S.numbers(o.density, "density", fn)
    if #xs ~= #ys then S.fail(fn, "%d grid points but %d density values", #xs, #ys) end
  end
  if #xs == 0 then S.fail(fn, "nothing to draw") end
  -- limits
  local xlo, xhi, ylo, yhi = huge, -huge, huge, -huge
  for i = 1, #xs do
    local x, y = xs[i], ys[i]
    if S.finite(x) then
      xlo = math.min(xlo, x)
      xhi = math.max(xhi, kind == "bars" and x + binw or x)
    end
    if S.finite(y) and (not logy or y > 0) then ylo, yhi = math.min(ylo, y), math.max(yhi, y) end
  end
  if ylo > yhi then S.fail(fn, "nothing to draw: no finite%s heights", logy and " positive" or "") end
  if logy then
    ylo, yhi = S.limits(ylo, yhi, true)
    if kind ~= "line" then ylo = math.min(ylo, ylo / 2) end
  else
    ylo, yhi = math.min(0, ylo), yhi > 0 and yhi * 1.05 or 1
  end
  if kind == "spikes" then xlo, xhi = S.limits(xlo, xhi, false, 0.03) else xlo, xhi = S.limits(xlo, xhi, false, 0) end
  local d = S.doc(floor(width), floor(height))
  local ylabel = o.ylabel or (kind == "bars" and (o.density and "density" or "count") or kind == "spikes" and "weight"
    or "density")
  local fr = S.frame(d, { xlo = xlo, xhi = xhi, ylo = ylo, yhi = yhi, logy = logy, title = o.title, xlabel = o.xlabel,
    ylabel = ylabel })
  local base = fr.y.map(logy and ylo or 0)
  local color = S.palette[1]
  d:add('<g clip-path="url(#plotarea)">\n')
  if kind == "bars" then
    for b = 1, #xs do
      local h = ys[b]
      if h > 0 then
        local xa, xb, yt = fr.x.map(xs[b]), fr.x.map(xs[b] + binw), fr.y.map(h)
        d:add(('<rect class="bar" x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="%s" fill-opacity="0.75" '
          .. 'stroke="white" stroke-width="0.5"/>\n'):format(xa, yt, math.max(0.5, xb - xa), base - yt, color))
      end
    end
  elseif kind == "spikes" then
    for i = 1, #xs do
      if not logy or ys[i] > 0 then
        local x, yt = fr.x.map(xs[i]), fr.y.map(ys[i])
        d:line(x, base, x, yt, ('class="spike" stroke="%s" stroke-width="1.5"'):format(color))
        d:add(('<circle cx="%.2f" cy="%.2f" r="2.5" fill="%s"/>\n'):format(x, yt, color))
      end
    end
  else
    local px, py = {}, {}
    for i = 1, #xs do
      if S.finite(xs[i]) and S.finite(ys[i]) and (not logy or ys[i] > 0) then px[i], py[i] = fr.x.map(xs[i]), fr.y.map(ys[i]) end
    end
    d:add(('<path class="series" fill="none" stroke="%s" stroke-width="1.8" d="%s"/>\n'):format(color,
      S.pathdata(px, py, #xs)))
  end
  d:add("</g>\n")
  if note then d:text(fr.box.x0 + 6, fr.box.y0 + 16, note, 'class="note" fill="#a00" font-size="11"') end
  return d:write(file, fn)
end

slope._doc(histogram, "slope.plot.histogram",
  "slope.plot.histogram{file=\"out/histogram.svg\", values=, bins=, range={a, b}, density=false, logy=, title=, xlabel=} "
    .. "| {nodes=, weights=, ...} | {grid=, density=, ...} -> file",
  "Histogram of values (bins default sqrt(n) in [10, 100]; density=true scales to unit area; NaN/Inf left out with a note); "
    .. "nodes/weights draw spikes (Lanczos Ritz values and weights); grid/density draws a spectral density as a line.")
plot.histogram = histogram
