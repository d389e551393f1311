-- plot_contour.lua — slope.plot.contour: contour lines of a 2-D objective
-- (marching squares on a grid) with optimizer paths on top.
local slope = ...
local plot = slope.plot
local S = plot._svg
local floor, huge = math.floor, math.huge

-- A perceptually uniform sequential map (viridis, sampled; the bright yellow
-- end left out so the top level stays visible on white).
local STOPS = { { 68, 1, 84 }, { 59, 82, 139 }, { 33, 145, 140 }, { 94, 201, 98 }, { 200, 224, 32 } }

local function colormap(t)
  t = math.max(0, math.min(1, t)) * (#STOPS - 1)
  local k = math.min(#STOPS - 2, floor(t))
  local f, a, b = t - k, STOPS[k + 1], STOPS[k + 2]
  return ("#%02x%02x%02x"):format(floor(a[1] + (b[1] - a[1]) * f + 0.5), floor(a[2] + (b[2] - a[2]) * f + 0.5),
    floor(a[3] + (b[3] - a[3]) * f + 0.5))
end
S.colormap = colormap

-- Marching squares (Lorensen & Cline's cube cases in 2-D): segments between
-- edge crossings for each of the 16 corner patterns. Edges: 0 bottom (a-b),
-- 1 right (b-c), 2 top (d-c), 3 left (a-d); bits a=1, b=2, c=4, d=8 set
-- when the corner is above the level. Saddles (5, 10) use the cell centre.
local CASES = {
  [1] = { 3, 0 }, [2] = { 0, 1 }, [3] = { 3, 1 }, [4] = { 1, 2 }, [6] = { 0, 2 }, [7] = { 3, 2 },
  [8] = { 2, 3 }, [9] = { 0, 2 }, [11] = { 1, 2 }, [12] = { 3, 1 }, [13] = { 0, 1 }, [14] = { 3, 0 },
}

-- Segments of the level-L contour as a path string, in pixel coordinates.
local function march(z, G, L, px, py)
  local out = {}
  local function cross(e, i, j, a, b, c, d)
    local t
    if e == 0 then t = (L - a) / (b - a); return px(i + t), py(j)
    elseif e == 1 then t = (L - b) / (c - b); return px(i + 1), py(j + t)
    elseif e == 2 then t = (L - d) / (c - d); return px(i + t), py(j + 1)
    else t = (L - a) / (d - a); return px(i), py(j + t) end
  end
  local function seg(e1, e2, i, j, a, b, c, d)
    local x1, y1 = cross(e1, i, j, a, b, c, d)
    local x2, y2 = cross(e2, i, j, a, b, c, d)
    out[#out + 1] = ("M%.2f,%.2fL%.2f,%.2f"):format(x1, y1, x2, y2)
  end
  for j = 0, G - 1 do
    local row, up = z[j], z[j + 1]
    for i = 0, G - 1 do
      local a, b, c, d = row[i], row[i + 1], up[i + 1], up[i]
      if S.finite(a) and S.finite(b) and S.finite(c) and S.finite(d) then
        local k = (a > L and 1 or 0) + (b > L and 2 or 0) + (c > L and 4 or 0) + (d > L and 8 or 0)
        local e = CASES[k]
        if e then
          seg(e[1], e[2], i, j, a, b, c, d)
        elseif k == 5 or k == 10 then
          local centre_above = (a + b + c + d) / 4 > L
          if (k == 5) == centre_above then -- separate b and d
            seg(0, 1, i, j, a, b, c, d); seg(2, 3, i, j, a, b, c, d)
          else -- separate a and c
            seg(3, 0, i, j, a, b, c, d); seg(1, 2, i, j, a, b, c, d)
          end
        end
      end
    end
  end
  return table.concat(out), #out
end
S.march = march

-- The points of a path: {name=, x=, y=} or a list of 2-vectors / {x, y} pairs.
local function path_points(p, k, fn)
  if type(p) ~= "table" then S.fail(fn, "paths[%d] must be a table, got %s", k, type(p)) end
  local xs, ys
  if p.x ~= nil or p.y ~= nil then
    xs, ys = S.numbers(p.x, ("paths[%d].x"):format(k), fn), S.numbers(p.y, ("paths[%d].y"):format(k), fn)
    if #xs ~= #ys then S.fail(fn, "paths[%d] has %d x but %d y values", k, #xs, #ys) end
  else
    xs, ys = {}, {}
    for i = 1, #p do
      local pt = p[i]
      local ok, px, py = pcall(function() return pt[1], pt[2] end)
      if not ok or type(px) ~= "number" or type(py) ~= "number" then
        S.fail(fn, "paths[%d][%d] must be a point {x, y} or a 2-vec", k, i)
      end
      xs[i], ys[i] = px, py
    end
  end
  if #xs == 0 then S.fail(fn, "paths[%d] is empty", k) end
  return xs, ys
end

local KEYS = { file = true, f = true, xlim = true, ylim = true, levels = true, logscale = true, paths = true,
  grid = true, title = true, xlabel = true, ylabel = true, width = true, height = true }

local function contour(o)
  local fn = "slope.plot.contour"
  S.checkkeys(o, KEYS, fn)
  local file = S.optstr(o, "file", "out/contour.svg", fn)
  local x0, x1 = S.range2(o, "xlim", fn)
  local y0, y1 = S.range2(o, "ylim", fn)
  local G = S.optnum(o, "grid", 100, fn, function(v) return v % 1 == 0 and v >= 4 and v <= 1000 end,
    "an integer in [4, 1000]")
  local width = S.optnum(o, "width", 720, fn, function(v) return v >= 100 and v <= 10000 end, "a number in [100, 10000]")
  local height = S.optnum(o, "height", 600, fn, function(v) return v >= 100 and v <= 10000 end, "a number in [100, 10000]")
  local logscale = o.logscale == nil or o.logscale and true or false
  local f = o.f
  local eval
  if type(f) == "function" then
    eval = f
  else
    local ok, value = pcall(function() return f.value end)
    if not ok or value == nil then S.fail(fn, "f must be a function(x, y) or an objective with f:value(x), got %s", type(f)) end
    local ok2, dim = pcall(function() return f.dim end)
    if ok2 and dim ~= nil and dim ~= 2 then S.fail(fn, "f must be a 2-D objective, got dim %s", slope._args.show(dim)) end
    local v = slope.vec.zeros(2)
    eval = function(x, y) v[1], v[2] = x, y; return f:value(v) end
  end
  -- the grid of values z[j][i] at (x0 + i hx, y0 + j hy)
  local z, zs = {}, {}
  local hx, hy = (x1 - x0) / G, (y1 - y0) / G
  local zmin, zmax = huge, -huge
  for j = 0, G do
    local row = {}
    for i = 0, G do
      local v = eval(x0 + i * hx, y0 + j * hy)
      if type(v) ~= "number" then S.fail(fn, "f returned %s, expected a number", type(v)) end
      row[i] = v
      if S.finite(v) then zmin, zmax = math.min(zmin, v), math.max(zmax, v); zs[#zs + 1] = v end
    end
    z[j] = row
  end
  if zmin > zmax then S.fail(fn, "f has no finite value on the grid") end
  -- levels
  local levels = o.levels or 12
  if type(levels) == "number" then
    if levels % 1 ~= 0 or levels < 1 or levels > 200 then S.fail(fn, "levels must be an integer in [1, 200] or a table") end
    local n, range, lv = levels, zmax - zmin, {}
    if range <= 0 then lv[1] = zmin
    elseif logscale then
      -- geometric in z - zmin from the 2% quantile of the values up to 95% of the range
      table.sort(zs)
      local lo = math.max(zs[math.max(1, floor(#zs * 0.02))] - zmin, range * 1e-9)
      local hi = range * 0.95
      if lo >= hi then lo = hi * 1e-3 end
      for k = 1, n do lv[k] = zmin + lo * (hi / lo) ^ (n == 1 and 0 or (k - 1) / (n - 1)) end
    else
      for k = 1, n do lv[k] = zmin + range * k / (n + 1) end
    end
    levels = lv
  else
    levels = S.numbers(levels, "levels", fn)
    for k = 1, #levels do
      if not S.finite(levels[k]) then S.fail(fn, "levels[%d] must be finite", k) end
      if k > 1 and levels[k] <= levels[k - 1] then S.fail(fn, "levels must be increasing") end
    end
    if #levels == 0 then S.fail(fn, "levels is empty") end
  end
  local paths = o.paths or {}
  if type(paths) ~= "table" then S.fail(fn, "paths must be a list of paths, got %s", type(paths)) end
  local pts = {}
  for k = 1, #paths do
    local xs, ys = path_points(paths[k], k, fn)
    pts[k] = { x = xs, y = ys, name = type(paths[k].name) == "string" and paths[k].name or ("path " .. k) }
  end
  -- draw
  local d = S.doc(floor(width), floor(height))
  local fr = S.frame(d, { xlo = x0, xhi = x1, ylo = y0, yhi = y1, title = o.title, xlabel = o.xlabel or "x",
    ylabel = o.ylabel or "y", right = 70 })
  local px = function(i) return fr.x.map(x0 + i * hx) end
  local py = function(j) return fr.y.map(y0 + j * hy) end
  d:add('<g class="contours" fill="none" stroke-width="1.1">\n')
  local colors = {}
  for k, L in ipairs(levels) do
    colors[k] = colormap(#levels == 1 and 0.5 or (k - 1) / (#levels - 1))
    local data = march(z, G, L, px, py)
    d:add(('<path class="contour" data-level="%.6g" stroke="%s" d="%s"/>\n'):format(L, colors[k], data))
  end
  d:add("</g>\n")
  -- colour bar: one swatch per level, labels at both ends and the middle
  local bx, by0, by1 = fr.box.x1 + 14, fr.box.y0 + 10, fr.box.y1 - 10
  local hstep = (by1 - by0) / #levels
  d:add('<g class="colorbar">\n')
  for k = 1, #levels do
    d:add(('<rect x="%.1f" y="%.1f" width="12" height="%.2f" fill="%s"/>\n'):format(bx, by1 - k * hstep, hstep + 0.3,
      colors[k]))
  end
  local marks = { 1, #levels }
  if #levels > 2 then marks[3] = floor((#levels + 1) / 2) end
  for _, k in ipairs(marks) do
    d:text(bx + 16, by1 - (k - 0.5) * hstep + 4, S.label(levels[k]), 'font-size="10"')
  end
  d:add("</g>\n")
  local entries, drawn = {}, {}
  d:add('<g clip-path="url(#plotarea)" class="paths">\n')
  for k, p in ipairs(pts) do
    local color = S.palette[(k - 1) % #S.palette + 1]
    local qx, qy = {}, {}
    for i = 1, #p.x do
      if S.finite(p.x[i]) and S.finite(p.y[i]) then qx[i], qy[i] = fr.x.map(p.x[i]), fr.y.map(p.y[i]) end
    end
    d:add(('<path class="optpath" data-name="%s" fill="none" stroke="%s" stroke-width="1.8" stroke-opacity="0.9" d="%s"/>\n')
      :format(S.escape(p.name), color, S.pathdata(qx, qy, #p.x)))
    drawn[#drawn + 1] = { qx, qy }
    local first, last
    for i = 1, #p.x do if qx[i] then first = first or i; last = i end end
    if first then
      d:add(('<circle class="start" cx="%.2f" cy="%.2f" r="5" fill="white" stroke="%s" stroke-width="2"/>\n'):format(
        qx[first], qy[first], color))
      d:add(('<rect class="end" x="%.2f" y="%.2f" width="8" height="8" fill="%s" stroke="black" stroke-width="0.8"/>\n')
        :format(qx[last] - 4, qy[last] - 4, color))
    end
    entries[#entries + 1] = { name = p.name, color = color }
  end
  d:add("</g>\n")
  if #entries > 0 then
    entries[#entries + 1] = { name = "start", marker = function(x, y)
      return ('<circle cx="%.1f" cy="%.1f" r="5" fill="white" stroke="#444" stroke-width="2"/>\n'):format(x, y) end }
    entries[#entries + 1] = { name = "end", marker = function(x, y)
      return ('<rect x="%.1f" y="%.1f" width="8" height="8" fill="#444" stroke="black" stroke-width="0.8"/>\n'):format(
        x - 4, y - 4) end }
    S.legend(d, fr, entries, drawn)
  end
  return d:write(file, fn), levels
end

slope._doc(contour, "slope.plot.contour",
  "slope.plot.contour{file=\"out/contour.svg\", f=objective|function(x, y), xlim={a, b}, ylim={c, d}, levels=12|{...}, "
    .. "logscale=true, paths={{name=, x=, y=} | {p1, p2, ...}}, grid=100, title=, xlabel=, ylabel=} -> file, levels",
  "Contour lines of a 2-D function (marching squares on a (grid+1)^2 grid; logscale spaces levels geometrically above "
    .. "the minimum) with optimizer paths (start: circle, end: square) and a legend.")
plot.contour = contour
