-- plot.lua — slope.plot: self-contained SVG plots (loss curves, schedules,
-- lr_find) and terminal sparklines. The shared pieces (SVG writer, "nice"
-- ticks, axes, palette) live in slope.plot._svg for plot_contour.lua and
-- plot_hist.lua, which load after this file.
local slope = ...

local plot = {}
local S = {} -- shared helpers
plot._svg = S

local fmt, floor, ceil, log10, huge = string.format, math.floor, math.ceil, math.log10 or function(x) -- luacheck: ignore 143
  return math.log(x, 10) end, math.huge

-- Okabe & Ito (2008) colour-blind-safe palette, yellow last (weak on white).
S.palette = { "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442" }

function S.fail(fn, msg, ...) error(fn .. ": " .. msg:format(...), 0) end

function S.finite(v) return type(v) == "number" and v == v and v ~= huge and v ~= -huge end

local vecmt = getmetatable(slope.vec{})

-- A vec or table of numbers as a Lua array (NaN and Inf kept).
function S.numbers(v, what, fn)
  local t = {}
  if getmetatable(v) == vecmt then
    for i = 1, #v do t[i] = v[i] end
    return t
  end
  if type(v) ~= "table" then S.fail(fn, "%s must be a vec or a table of numbers, got %s", what, type(v)) end
  for i = 1, #v do
    local x = v[i]
    if type(x) ~= "number" then S.fail(fn, "%s[%d] must be a number, got %s", what, i, type(x)) end
    t[i] = x
  end
  return t
end

-- Reject option keys not in `allowed` (a set).
function S.checkkeys(o, allowed, fn)
  if type(o) ~= "table" then S.fail(fn, "expected a table of options, got %s", type(o)) end
  for k in pairs(o) do
    if type(k) == "string" and not allowed[k] then
      local ks = {}
      for a in pairs(allowed) do ks[#ks + 1] = a end
      table.sort(ks)
      S.fail(fn, "unknown option '%s' (expected one of: %s)", k, table.concat(ks, ", "))
    end
  end
end

function S.optnum(o, key, def, fn, ok, want)
  local v = o[key]
  if v == nil then return def end
  if not S.finite(v) or (ok and not ok(v)) then
    S.fail(fn, "%s must be %s, got %s", key, want or "a finite number", slope._args.show(v))
  end
  return v
end

function S.optstr(o, key, def, fn)
  local v = o[key]
  if v == nil then return def end
  if type(v) ~= "string" then S.fail(fn, "%s must be a string, got %s", key, type(v)) end
  return v
end

function S.range2(o, key, fn)
  local r = o[key]
  if type(r) ~= "table" or not S.finite(r[1]) or not S.finite(r[2]) or not (r[1] < r[2]) then
    S.fail(fn, "%s must be {a, b} with finite a < b", key)
  end
  return r[1], r[2]
end

function S.escape(s)
  return (tostring(s):gsub("[&<>\"']", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;",
    ["'"] = "&apos;" }))
end

-- ---- ticks -------------------------------------------------------------------

-- A step of 1, 2 or 5 times a power of ten giving about n intervals over range.
function S.nice_step(range, n)
  local raw = range / n
  local mag = 10 ^ floor(log10(raw))
  local r = raw / mag
  local m = r < 1.5 and 1 or r < 3 and 2 or r < 7 and 5 or 10
  return m * mag
end

-- Ticks at multiples of a nice step inside [lo, hi].
function S.ticks(lo, hi, n)
  n = n or 6
  local step = S.nice_step(hi - lo, n)
  local t, k = {}, ceil(lo / step - 1e-9)
  while true do
    local v = k * step
    if v > hi + step * 1e-9 then break end
    if math.abs(v) < step * 1e-9 then v = 0.0 end
    t[#t + 1] = v
    k = k + 1
  end
  return t, step
end

-- Log-axis ticks in [lo, hi] (lo > 0): decades (every k-th when many), or
-- 1-2-5 sequences within a decade or two; minor: 2..9 x 10^k when few decades.
function S.logticks(lo, hi)
  local klo, khi = floor(log10(lo) + 1e-9), ceil(log10(hi) - 1e-9)
  local major, minor = {}, {}
  local ndec = khi - klo
  if ndec <= 3 then
    for k = klo, khi do
      for _, m in ipairs{ 1, 2, 5 } do
        local v = m * 10 ^ k
        if v >= lo * (1 - 1e-9) and v <= hi * (1 + 1e-9) then major[#major + 1] = v end
      end
    end
    if #major < 3 then major = S.ticks(lo, hi, 5) end
  else
    local stride = ceil(ndec / 8)
    for k = klo, khi do
      local v = 10 ^ k
      if k % stride == 0 and v >= lo * (1 - 1e-9) and v <= hi * (1 + 1e-9) then major[#major + 1] = v end
      if ndec <= 6 then
        for m = 2, 9 do
          local w = m * 10 ^ k
          if w > lo and w < hi then minor[#minor + 1] = w end
        end
      end
    end
  end
  return major, minor
end

-- A short label: "0.25", "1500", "1e-05" -> "1e-5", "2.5e+06" -> "2.5e6".
function S.label(v, step)
  if v == 0 then return "0" end
  local a = math.abs(v)
  local s
  if a >= 1e5 or a < 1e-3 then
    s = fmt("%.3g", v)
  elseif step and step > 0 and step < 1 then
    local d = math.min(10, math.max(0, ceil(-log10(step) - 1e-9)))
    s = fmt("%." .. d .. "f", v)
  else
    s = fmt("%.4g", v)
  end
  s = s:gsub("e%+?(%-?)0*(%d)", "e%1%2")
  return s
end

-- ---- the SVG document ---------------------------------------------------------

local Doc = {}
Doc.__index = Doc

function S.doc(width, height)
  local d = setmetatable({ parts = {}, width = width, height = height }, Doc)
  d:add('<?xml version="1.0" encoding="UTF-8"?>\n')
  d:add(('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
    .. 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">\n'):format(width, height, width,
    height))
  d:add(('<rect x="0" y="0" width="%d" height="%d" fill="white"/>\n'):format(width, height))
  return d
end

function Doc:add(s) self.parts[#self.parts + 1] = s end

function Doc:text(x, y, s, attrs)
  self:add(('<text x="%.1f" y="%.1f"%s>%s</text>\n'):format(x, y, attrs and (" " .. attrs) or "", S.escape(s)))
end

function Doc:line(x1, y1, x2, y2, attrs)
  self:add(('<line x1="%.2f" y1="%.2f" x2="%.2f" y2="%.2f" %s/>\n'):format(x1, y1, x2, y2, attrs))
end

-- Write to file (checked, through a temporary file), creating its directory if
-- needed. Returns the path.
function Doc:write(file, fn)
  self:add("</svg>\n")
  local dir = file:match("^(.*)/[^/]*$")
  if dir and dir ~= "" then
    local probe = io.open(dir .. "/.", "r")
    if probe then probe:close() else os.execute("mkdir -p '" .. dir:gsub("'", "'\\''") .. "' 2>/dev/null") end
  end
  -- file.tmp renamed over file: a failed write (a full disk) leaves no half figure
  local ok, err = slope._write_file(file, table.concat(self.parts))
  if not ok then S.fail(fn, "%s", err) end
  return file
end

-- Path data "M x,y L x,y ..." for points (px, py arrays of pixel coordinates,
-- nil entries break the line). Returns "" when nothing is drawable.
function S.pathdata(px, py, n)
  local out, pen = {}, false
  for i = 1, n do
    local x, y = px[i], py[i]
    if x and y then
      out[#out + 1] = (pen and "L%.2f,%.2f" or "M%.2f,%.2f"):format(x, y)
      pen = true
    else
      pen = false
    end
  end
  return table.concat(out, " ")
end

-- ---- axes ------------------------------------------------------------------------

-- An axis over [lo, hi] (pixels a..b); log axes need lo > 0.
local function axis(lo, hi, a, b, logscale)
  local ax = { lo = lo, hi = hi, log = logscale }
  if logscale then
    local l0, l1 = log10(lo), log10(hi)
    ax.map = function(v) return a + (log10(v) - l0) / (l1 - l0) * (b - a) end
    ax.major, ax.minor = S.logticks(lo, hi)
  else
    ax.map = function(v) return a + (v - lo) / (hi - lo) * (b - a) end
    ax.major, ax.step = S.ticks(lo, hi, math.max(2, floor(math.abs(b - a) / 80)))
    ax.minor = {}
  end
  return ax
end

-- Data limits [lo, hi] padded by pad (fraction), widened when degenerate.
function S.limits(lo, hi, logscale, pad)
  pad = pad or 0.04
  if logscale then
    if hi <= lo then lo, hi = lo / 2, hi * 2 end
    local r = (hi / lo) ^ pad
    return lo / r, hi * r
  end
  if hi <= lo then
    local w = lo == 0 and 1 or math.abs(lo) * 0.1
    return lo - w, hi + w
  end
  local w = (hi - lo) * pad
  return lo - w, hi + w
end

-- Frame: plot box, grid, ticks, labels, title. Returns {x=axis, y=axis, box}.
function S.frame(d, o)
  local W, H = d.width, d.height
  local L, R, T, B = 72, 20 + (o.right or 0), o.title and 38 or 16, o.xlabel and 52 or 36
  local box = { x0 = L, x1 = W - R, y0 = T, y1 = H - B }
  local ax = axis(o.xlo, o.xhi, box.x0, box.x1, o.logx)
  local ay = axis(o.ylo, o.yhi, box.y1, box.y0, o.logy)
  d:add(('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#444" stroke-width="1"/>\n'):format(
    box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0))
  d:add('<g class="grid" stroke="#000" stroke-width="1">\n')
  for _, v in ipairs(ax.minor) do d:line(ax.map(v), box.y0, ax.map(v), box.y1, 'stroke-opacity="0.05"') end
  for _, v in ipairs(ay.minor) do d:line(box.x0, ay.map(v), box.x1, ay.map(v), 'stroke-opacity="0.05"') end
  for _, v in ipairs(ax.major) do d:line(ax.map(v), box.y0, ax.map(v), box.y1, 'stroke-opacity="0.12"') end
  for _, v in ipairs(ay.major) do d:line(box.x0, ay.map(v), box.x1, ay.map(v), 'stroke-opacity="0.12"') end
  d:add("</g>\n")
  local function ticklabel(v, a)
    if a.log and math.abs(log10(v) - floor(log10(v) + 0.5)) < 1e-9 then
      local k = floor(log10(v) + 0.5)
      if k >= -2 and k <= 3 then return S.label(v) end
      return "1e" .. k
    end
    return S.label(v, a.step)
  end
  d:add('<g class="ticks" fill="#222">\n')
  for _, v in ipairs(ax.major) do
    local x = ax.map(v)
    d:line(x, box.y1, x, box.y1 + 5, 'stroke="#444"')
    d:text(x, box.y1 + 18, ticklabel(v, ax), 'text-anchor="middle"')
  end
  for _, v in ipairs(ay.major) do
    local y = ay.map(v)
    d:line(box.x0 - 5, y, box.x0, y, 'stroke="#444"')
    d:text(box.x0 - 8, y + 4, ticklabel(v, ay), 'text-anchor="end"')
  end
  d:add("</g>\n")
  if o.title then d:text(W / 2, 24, o.title, 'class="title" text-anchor="middle" font-size="15" font-weight="bold"') end
  if o.xlabel then d:text((box.x0 + box.x1) / 2, H - 12, o.xlabel, 'class="xlabel" text-anchor="middle"') end
  if o.ylabel then
    local cy = (box.y0 + box.y1) / 2
    d:text(16, cy, o.ylabel, ('class="ylabel" text-anchor="middle" transform="rotate(-90 16 %.1f)"'):format(cy))
  end
  d:add(('<clipPath id="plotarea"><rect x="%d" y="%d" width="%d" height="%d"/></clipPath>\n'):format(
    box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0))
  return { x = ax, y = ay, box = box }
end

-- Legend in the corner of the plot box that covers the fewest of the points
-- avoid = {{px, py}, ...} (top-right on ties): entries {name=, color=, dash=, marker=}.
function S.legend(d, fr, entries, avoid)
  if #entries == 0 then return end
  local w = 0
  for _, e in ipairs(entries) do w = math.max(w, utf8.len(tostring(e.name)) or #tostring(e.name)) end
  w = math.min(w, 40) * 7 + 44
  local h = #entries * 18 + 8
  local b = fr.box
  local corners = { { b.x1 - w - 8, b.y0 + 8 }, { b.x0 + 8, b.y0 + 8 }, { b.x1 - w - 8, b.y1 - h - 8 },
    { b.x0 + 8, b.y1 - h - 8 } }
  local best, x0, y0 = huge, corners[1][1], corners[1][2]
  for _, c in ipairs(corners) do
    local n = 0
    for _, p in ipairs(avoid or {}) do
      local px, py = p[1], p[2]
      for k = 1, #px do
        local x, y = px[k], py[k]
        if x and y and x >= c[1] - 4 and x <= c[1] + w + 4 and y >= c[2] - 4 and y <= c[2] + h + 4 then n = n + 1 end
      end
    end
    if n < best then best, x0, y0 = n, c[1], c[2] end
  end
  d:add('<g class="legend">\n')
  d:add(('<rect x="%.1f" y="%.1f" width="%d" height="%d" fill="white" fill-opacity="0.85" stroke="#bbb"/>\n'):format(
    x0, y0, w, h))
  for i, e in ipairs(entries) do
    local y = y0 + 4 + (i - 0.5) * 18
    if e.marker then
      d:add(e.marker(x0 + 19, y))
    else
      d:line(x0 + 8, y, x0 + 30, y, ('stroke="%s" stroke-width="2"%s'):format(e.color,
        e.dash and (' stroke-dasharray="%s"'):format(e.dash) or ""))
    end
    d:text(x0 + 36, y + 4, e.name, 'class="legend-entry"')
  end
  d:add("</g>\n")
end

-- ---- lines -------------------------------------------------------------------------

-- Exponential moving average, debiased like TensorBoard's smoothing; NaN/Inf
-- points stay gaps and do not enter the average.
function S.ema(y, w)
  local out, avg, k = {}, 0, 0
  for i = 1, #y do
    local v = y[i]
    if S.finite(v) then
      avg = w * avg + (1 - w) * v
      k = k + 1
      out[i] = avg / (1 - w ^ k)
    else
      out[i] = 0 / 0
    end
  end
  return out
end

local LINES_KEYS = { file = true, x = true, series = true, logy = true, logx = true, smooth = true, title = true,
  xlabel = true, ylabel = true, width = true, height = true, hlines = true, vlines = true,
  ylim = true }

local function series_list(o, fn)
  local s = o.series
  if type(s) ~= "table" then S.fail(fn, "series must be a table of series, got %s", type(s)) end
  local list = {}
  if #s > 0 then
    for i, e in ipairs(s) do
      if type(e) ~= "table" or getmetatable(e) == vecmt then
        S.fail(fn, "series[%d] must be a table {name=, y=}, got %s", i, type(e))
      end
      if e.y == nil then S.fail(fn, "series[%d] has no y", i) end
      list[#list + 1] = { name = e.name and tostring(e.name) or ("series " .. i), y = e.y, x = e.x, dash = e.dash,
        color = e.color }
    end
  else
    local names = {}
    for k in pairs(s) do
      if type(k) ~= "string" then S.fail(fn, "series must be a list {{name=, y=}, ...} or a map {name = values}") end
      names[#names + 1] = k
    end
    table.sort(names)
    for _, k in ipairs(names) do list[#list + 1] = { name = k, y = s[k] } end
  end
  if #list == 0 then S.fail(fn, "series is empty") end
  return list
end

-- At most ~2 points per pixel column: keep each bucket's min and max in order,
-- so spikes survive; a non-finite value in a bucket keeps the gap.
local function decimate(x, y, maxn)
  local n = #y
  if n <= maxn then return x, y end
  local k = ceil(n / (maxn / 2))
  local xo, yo = {}, {}
  for b = 1, n, k do
    local lo, hi, gap
    for i = b, math.min(n, b + k - 1) do
      local v = y[i]
      if not S.finite(v) then gap = i
      else
        if not lo or v < y[lo] then lo = i end
        if not hi or v > y[hi] then hi = i end
      end
    end
    local pick = {}
    if lo then pick[#pick + 1] = lo end
    if hi and hi ~= lo then pick[#pick + 1] = hi end
    if gap then pick[#pick + 1] = gap end
    table.sort(pick)
    for _, i in ipairs(pick) do xo[#xo + 1] = x[i]; yo[#yo + 1] = y[i] end
  end
  return xo, yo
end

local function lines(o)
  local fn = "slope.plot.lines"
  S.checkkeys(o, LINES_KEYS, fn)
  local file = S.optstr(o, "file", "out/lines.svg", fn)
  local width = S.optnum(o, "width", 800, fn, function(v) return v >= 100 and v <= 10000 end, "a number in [100, 10000]")
  local height = S.optnum(o, "height", 500, fn, function(v) return v >= 100 and v <= 10000 end, "a number in [100, 10000]")
  local smooth = S.optnum(o, "smooth", nil, fn, function(v) return v >= 0 and v < 1 end, "a number in [0, 1)")
  local logx, logy = o.logx and true or false, o.logy and true or false
  local list = series_list(o, fn)
  local sharedx = o.x ~= nil and S.numbers(o.x, "x", fn) or nil
  local clipped, xlo, xhi, ylo, yhi = 0, huge, -huge, huge, -huge
  local function okx(v) return S.finite(v) and (not logx or v > 0) end
  local function oky(v) return S.finite(v) and (not logy or v > 0) end
  for i, s in ipairs(list) do
    s.y = S.numbers(s.y, ("series %q y"):format(s.name), fn)
    s.x = s.x ~= nil and S.numbers(s.x, ("series %q x"):format(s.name), fn) or sharedx
    if s.x == nil then
      s.x = {}
      for k = 1, #s.y do s.x[k] = k end
    end
    if #s.x ~= #s.y then S.fail(fn, "series %q has %d y values but %d x values", s.name, #s.y, #s.x) end
    s.color = s.color or S.palette[(i - 1) % #S.palette + 1]
    if s.dash == true then s.dash = "6 4" elseif s.dash == false then s.dash = nil
    elseif s.dash ~= nil and type(s.dash) ~= "string" then
      S.fail(fn, "dash must be true, false or a dash pattern string like \"6 4\"")
    end
    if smooth and smooth > 0 then s.smooth = S.ema(s.y, smooth) end
    for k = 1, #s.y do
      local x, y = s.x[k], s.y[k]
      if logy and S.finite(y) and y <= 0 then clipped = clipped + 1 end
      if okx(x) and oky(y) then
        xlo, xhi = math.min(xlo, x), math.max(xhi, x)
        ylo, yhi = math.min(ylo, y), math.max(yhi, y)
      end
    end
  end
  local hl = o.hlines or {}
  local vl = o.vlines or {}
  if type(hl) ~= "table" then S.fail(fn, "hlines must be a table {{y=, label=}, ...}") end
  if type(vl) ~= "table" then S.fail(fn, "vlines must be a table {{x=, label=}, ...}") end
  for i, h in ipairs(hl) do
    if type(h) ~= "table" or not oky(h.y) then S.fail(fn, "hlines[%d].y must be a finite number%s", i, logy and " > 0" or "") end
    ylo, yhi = math.min(ylo, h.y), math.max(yhi, h.y)
  end
  for i, v in ipairs(vl) do
    if type(v) ~= "table" or not okx(v.x) then S.fail(fn, "vlines[%d].x must be a finite number%s", i, logx and " > 0" or "") end
  end
  if xlo > xhi or ylo > yhi then
    S.fail(fn, "nothing to draw: no finite%s values", (logy or logx) and " positive" or "")
  end
  if logx then xlo, xhi = S.limits(xlo, xhi, true, 0) else xlo, xhi = S.limits(xlo, xhi, false, 0) end
  ylo, yhi = S.limits(ylo, yhi, logy)
  if o.ylim ~= nil then
    ylo, yhi = S.range2(o, "ylim", fn)
    if logy and ylo <= 0 then S.fail(fn, "ylim must be positive with logy") end
  end
  local d = S.doc(floor(width), floor(height))
  local fr = S.frame(d, { xlo = xlo, xhi = xhi, ylo = ylo, yhi = yhi, logx = logx, logy = logy, title = o.title,
    xlabel = o.xlabel, ylabel = o.ylabel })
  local maxn = 4 * (fr.box.x1 - fr.box.x0)
  d:add('<g clip-path="url(#plotarea)" fill="none" stroke-linejoin="round">\n')
  local entries, drawn = {}, {}
  local function draw(xs, ys, attrs, class, name)
    xs, ys = decimate(xs, ys, maxn)
    local px, py = {}, {}
    for k = 1, #ys do
      if okx(xs[k]) and oky(ys[k]) then px[k], py[k] = fr.x.map(xs[k]), fr.y.map(ys[k]) end
    end
    d:add(('<path class="%s" data-name="%s" %s d="%s"/>\n'):format(class, S.escape(name), attrs,
      S.pathdata(px, py, #ys)))
    drawn[#drawn + 1] = { px, py }
  end
  for _, s in ipairs(list) do
    local dash = s.dash and (' stroke-dasharray="%s"'):format(S.escape(s.dash)) or ""
    if s.smooth then
      draw(s.x, s.y, ('stroke="%s" stroke-width="1" stroke-opacity="0.28"%s'):format(s.color, dash), "raw", s.name)
      draw(s.x, s.smooth, ('stroke="%s" stroke-width="2"%s'):format(s.color, dash), "series", s.name)
    else
      draw(s.x, s.y, ('stroke="%s" stroke-width="1.6"%s'):format(s.color, dash), "series", s.name)
    end
    entries[#entries + 1] = { name = s.name, color = s.color, dash = s.dash and S.escape(s.dash) }
  end
  for _, h in ipairs(hl) do
    local y = fr.y.map(h.y)
    d:line(fr.box.x0, y, fr.box.x1, y, 'class="hline" stroke="#555" stroke-dasharray="5 4"')
    if h.label then d:text(fr.box.x1 - 6, y - 5, h.label, 'class="hline-label" text-anchor="end" fill="#333"') end
  end
  for _, v in ipairs(vl) do
    local x = fr.x.map(v.x)
    d:line(x, fr.box.y0, x, fr.box.y1, 'class="vline" stroke="#555" stroke-dasharray="5 4"')
    if v.label then
      d:text(x + 5, fr.box.y0 + 16, v.label, 'class="vline-label" fill="#333"')
      local lx, ly = {}, {} -- keep the legend off the label
      for k = 0, 19 do lx[k + 1], ly[k + 1] = x + 5 + k * 6, fr.box.y0 + 12 end
      drawn[#drawn + 1] = { lx, ly }
    end
  end
  d:add("</g>\n")
  if clipped > 0 then
    d:text(fr.box.x0 + 6, fr.box.y1 - 8, ("logy: %d value%s <= 0 not shown"):format(clipped, clipped > 1 and "s" or ""),
      'class="note" fill="#a00" font-size="11"')
  end
  if #list > 1 or list[1].name ~= "series 1" then S.legend(d, fr, entries, drawn) end
  return d:write(file, fn), clipped
end

slope._doc(lines, "slope.plot.lines",
  "slope.plot.lines{file=\"out/lines.svg\", x=, series={{name=, y=, x=, dash=}, ...} | {name=values, ...}, logy=, logx=, "
    .. "smooth=, title=, xlabel=, ylabel=, ylim={a, b}, width=800, height=500, hlines={{y=, label=}}, vlines={{x=, label=}}} -> file, nclipped",
  "Line plot as a self-contained SVG: nice ticks (log decades with logx/logy), grid, legend; smooth=w draws a debiased EMA "
    .. "over the faint raw curve; NaN/Inf leave gaps; with logy values <= 0 are left out and counted in a note.")
plot.lines = lines

-- ---- spark -----------------------------------------------------------------------------

local BARS = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" }

local function spark(values, width)
  local fn = "slope.plot.spark"
  local y = S.numbers(values, "values", fn)
  if width ~= nil and not (math.type(width) == "integer" or (S.finite(width) and width % 1 == 0)) then
    S.fail(fn, "width must be an integer >= 1, got %s", slope._args.show(width))
  end
  if width ~= nil and width < 1 then S.fail(fn, "width must be an integer >= 1, got %s", slope._args.show(width)) end
  if width and #y > width then -- bucket means of the finite values
    local b, n = {}, #y
    for j = 1, width do
      local i0, i1 = floor((j - 1) * n / width) + 1, floor(j * n / width)
      local sum, k = 0, 0
      for i = i0, i1 do if S.finite(y[i]) then sum, k = sum + y[i], k + 1 end end
      b[j] = k > 0 and sum / k or 0 / 0
    end
    y = b
  end
  local lo, hi = huge, -huge
  for _, v in ipairs(y) do if S.finite(v) then lo, hi = math.min(lo, v), math.max(hi, v) end end
  local out = {}
  for i, v in ipairs(y) do
    if not S.finite(v) then out[i] = " "
    elseif hi == lo then out[i] = BARS[4]
    else out[i] = BARS[math.min(8, floor((v - lo) / (hi - lo) * 8) + 1)] end
  end
  return table.concat(out)
end

slope._doc(spark, "slope.plot.spark", "slope.plot.spark(values [, width]) -> string",
  "A terminal sparkline (▁▂▃▄▅▆▇█) of a vec or table, scaled min..max; NaN/Inf show as spaces; "
    .. "with width, bucket means of at most width characters.")
plot.spark = spark

-- ---- lr_find ------------------------------------------------------------------------------

local function plot_lr_find(res, file)
  local fn = "slope.plot.lr_find"
  if type(res) ~= "table" or res.lr == nil or res.loss == nil then
    S.fail(fn, "expected the result of slope.lr_find, got %s", type(res))
  end
  local vlines = {}
  if res.suggestion then vlines[1] = { x = res.suggestion, label = ("suggestion %.3g"):format(res.suggestion) } end
  -- y range: the smoothed curve before the blow-up (raw spikes and the
  -- divergence would otherwise flatten it); raw points above are clipped
  local fin = res.stopped_at and res.stopped_at - 1 or #res.loss
  local sm = res.smoothed or res.loss
  local lo, hi = huge, -huge
  for i = 1, fin do
    if S.finite(sm[i]) then lo, hi = math.min(lo, sm[i]), math.max(hi, sm[i]) end
    if S.finite(res.loss[i]) then lo = math.min(lo, res.loss[i]) end
  end
  local ylim
  if lo < hi then ylim = { lo - 0.05 * (hi - lo), hi + 0.25 * (hi - lo) } end
  return (lines{ file = file or "out/lr_find.svg", x = res.lr, logx = true, ylim = ylim,
    series = { { name = "loss", y = res.loss }, { name = "smoothed", y = res.smoothed or res.loss } },
    vlines = vlines, title = "learning-rate range test", xlabel = "learning rate", ylabel = "loss" })
end

slope._doc(plot_lr_find, "slope.plot.lr_find", "slope.plot.lr_find(res [, file=\"out/lr_find.svg\"]) -> file",
  "Plot a slope.lr_find result: loss and smoothed loss against lr (log axis), the suggestion marked.")
plot.lr_find = plot_lr_find

slope._doc(plot, "slope.plot", "slope.plot", "SVG plots (lines, contour, histogram, lr_find) and terminal sparklines.")
slope.plot = plot
