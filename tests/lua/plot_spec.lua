-- plot_spec.lua — slope.plot: SVG well-formedness (a small XML checker below),
-- counts of series, paths and labels, ticks, smoothing, log scales, errors.
local P = slope.plot
local S = P._svg

-- Well-formed XML or an error: one root, matched tags, quoted unique
-- attributes, valid entity references. Returns the list of elements
-- {name=, attrs=, text=} in document order.
local function parse_xml(s)
  local els, stack, pos, root_done = {}, {}, 1, false
  local function check_text(t, where)
    if t:find("<", 1, true) then error("'<' in " .. where) end
    for ent in t:gmatch("&([^;]*);?") do
      if not (ent == "amp" or ent == "lt" or ent == "gt" or ent == "quot" or ent == "apos" or ent:match("^#%d+$")
          or ent:match("^#x%x+$")) then
        error("bad entity &" .. ent .. " in " .. where)
      end
    end
    local n = 0
    for _ in t:gmatch("&") do n = n + 1 end
    local m = 0
    for _ in t:gmatch("&[^;%s&]*;") do m = m + 1 end
    if n ~= m then error("unterminated '&' in " .. where) end
  end
  s = s:gsub("^%s*<%?xml[^?]*%?>", "")
  while pos <= #s do
    local lt = s:find("<", pos, true)
    local text = s:sub(pos, (lt or #s + 1) - 1)
    if #stack == 0 and text:find("%S") then error("text outside the root: " .. text:sub(1, 20)) end
    check_text(text, "text")
    if #stack > 0 then stack[#stack].text = (stack[#stack].text or "") .. text end
    if not lt then break end
    if s:sub(lt, lt + 3) == "<!--" then
      local e = s:find("-->", lt + 4, true) or error("unterminated comment")
      pos = e + 3
    elseif s:sub(lt + 1, lt + 1) == "/" then
      local name, e = s:match("^</([%w:_%-%.]+)%s*>()", lt)
      if not name then error("bad closing tag at " .. lt) end
      local top = table.remove(stack) or error("closing </" .. name .. "> without opening")
      if top.name ~= name then error("</" .. name .. "> closes <" .. top.name .. ">") end
      if #stack == 0 then root_done = true end
      pos = e
    else
      local name, p = s:match("^<([%w:_%-%.]+)()", lt)
      if not name then error("bad tag at " .. lt .. ": " .. s:sub(lt, lt + 20)) end
      if root_done or (#stack == 0 and #els > 0) then error("second root element <" .. name .. ">") end
      local el = { name = name, attrs = {} }
      while true do
        local ws, an, q, p2 = s:match("^(%s*)([%w:_%-%.]+)%s*=%s*([\"'])()", p)
        if an then
          if ws == "" then error("attributes must be separated by space in <" .. name .. ">") end
          local close = s:find(q, p2, true) or error("unterminated attribute " .. an)
          local v = s:sub(p2, close - 1)
          check_text(v, "attribute " .. an)
          if el.attrs[an] then error("duplicate attribute " .. an .. " in <" .. name .. ">") end
          el.attrs[an] = v
          p = close + 1
        else
          local selfclose, e = s:match("^%s*(/?)>()", p)
          if not e then error("bad attribute syntax in <" .. name .. "> at " .. s:sub(p, p + 20)) end
          els[#els + 1] = el
          if selfclose == "" then stack[#stack + 1] = el elseif #stack == 0 then root_done = true end
          pos = e
          break
        end
      end
    end
  end
  if #stack > 0 then error("unclosed <" .. stack[#stack].name .. ">") end
  if #els == 0 then error("no root element") end
  return els
end

local function read(path)
  local f = assert(io.open(path))
  local s = f:read("a")
  f:close()
  return s
end

local function select(els, name, class)
  local r = {}
  for _, e in ipairs(els) do
    if e.name == name and (class == nil or e.attrs.class == class) then r[#r + 1] = e end
  end
  return r
end

local function texts(els)
  local r = {}
  for _, e in ipairs(select(els, "text")) do r[#r + 1] = e.text end
  return r
end

local function has_text(els, s)
  for _, t in ipairs(texts(els)) do if t == s then return true end end
  return false
end

describe("the XML checker", function()
  it("accepts well-formed and rejects broken documents", function()
    check.eq(#parse_xml('<?xml version="1.0"?>\n<a x="1"><b/><c y=\'2\'>t &amp; u</c></a>'), 3)
    check.errors(function() parse_xml("<a><b></a>") end, "closes")
    check.errors(function() parse_xml("<a x=1></a>") end, "bad attribute")
    check.errors(function() parse_xml('<a x="1" x="2"></a>') end, "duplicate")
    check.errors(function() parse_xml("<a>x & y</a>") end, "bad entity")
    check.errors(function() parse_xml("<a></a><b/>") end, "second root")
    check.errors(function() parse_xml("<a>") end, "unclosed")
    check.errors(function() parse_xml('<a t="<"></a>') end, "'<'")
  end)
end)

describe("slope.plot ticks and smoothing", function()
  it("chooses 1-2-5 steps", function()
    local t, step = S.ticks(0, 1, 5)
    check.eq(step, 0.2); check.veq(slope.vec(t), {0, 0.2, 0.4, 0.6, 0.8, 1}, 1e-15)
    t, step = S.ticks(-3.3, 17, 4)
    check.eq(step, 5); check.veq(slope.vec(t), {0, 5, 10, 15})
    t = S.ticks(-1, 1, 4)
    check.eq(t[3], 0.0); check.eq(tostring(t[3]), "0.0") -- no -0
    check.eq(S.nice_step(8, 10), 1.0); check.eq(S.nice_step(0.0031, 1), 0.005)
  end)

  it("puts log ticks on decades, or 1-2-5 within few decades", function()
    local major = S.logticks(1e-6, 1e2)
    check.truthy(#major >= 4 and #major <= 9)
    for _, v in ipairs(major) do
      local k = math.log(v, 10)
      check.near(k, math.floor(k + 0.5), 1e-9, "decade")
    end
    major = S.logticks(0.15, 40)
    check.veq(slope.vec(major), {0.2, 0.5, 1, 2, 5, 10, 20}, 1e-12)
    local _, minor = S.logticks(1e-3, 1e3)
    check.eq(#minor, 8 * 6)
  end)

  it("labels numbers compactly", function()
    check.eq(S.label(0), "0"); check.eq(S.label(1e-5), "1e-5"); check.eq(S.label(2.5e6), "2.5e6")
    check.eq(S.label(0.25, 0.05), "0.25"); check.eq(S.label(1500, 500), "1500"); check.eq(S.label(0.2, 0.2), "0.2")
  end)

  it("smooths with a debiased EMA and leaves gaps for NaN", function()
    local y = {1, 2, 0 / 0, 4}
    local s = S.ema(y, 0.5)
    check.eq(s[1], 1.0)
    check.near(s[2], (0.25 * 1 + 0.5 * 2) / 0.75)
    check.truthy(s[3] ~= s[3])
    local avg = 0.5 * (0.5 * 0.5 * 1 + 0.5 * 2) + 0.5 * 4
    check.near(s[4], avg / (1 - 0.125))
  end)

  it("marches squares through a cone's level sets", function()
    local z = {}
    for j = 0, 20 do
      z[j] = {}
      for i = 0, 20 do z[j][i] = (i - 10) ^ 2 + (j - 10) ^ 2 end
    end
    local id = function(v) return v end
    local d, nseg = S.march(z, 20, 25, id, id)
    check.truthy(nseg > 20, "a closed circle of segments")
    for x, y in d:gmatch("([%-%d%.]+),([%-%d%.]+)") do
      check.near(math.sqrt((x - 10) ^ 2 + (y - 10) ^ 2), 5, 0.06, "points near the circle r=5")
    end
    local _, none = S.march(z, 20, 1000, id, id)
    check.eq(none, 0)
  end)
end)

describe("slope.plot.lines", function()
  it("writes a well-formed SVG with raw and smoothed curves, legend, hlines", function()
    local y1, y2 = {}, slope.vec.zeros(50)
    for i = 1, 50 do y1[i] = 1 / i; y2[i] = 2 / i end
    y1[10] = 0 / 0
    local file = P.lines{file = "out/test_lines.svg", series = {{name = "a & b", y = y1}, {name = "c", y = y2, dash = true}},
      smooth = 0.8, logy = true, title = "loss <test>", xlabel = "step", ylabel = "loss",
      hlines = {{y = 0.05, label = "target"}}}
    check.eq(file, "out/test_lines.svg")
    local els = parse_xml(read(file))
    check.eq(els[1].name, "svg")
    check.eq(#select(els, "path", "series"), 2)
    check.eq(#select(els, "path", "raw"), 2)
    check.eq(#select(els, "line", "hline"), 1)
    check.eq(#select(els, "text", "legend-entry"), 2)
    check.truthy(has_text(els, "a &amp; b"), "escaped legend name")
    check.truthy(has_text(els, "loss &lt;test&gt;"), "escaped title")
    check.truthy(has_text(els, "target"))
    -- the NaN splits the first raw curve into two pieces
    local raw = select(els, "path", "raw")[1].attrs.d
    local moves = 0
    for _ in raw:gmatch("M") do moves = moves + 1 end
    check.eq(moves, 2)
    check.eq(select(els, "path", "series")[2].attrs["stroke-dasharray"], "6 4")
  end)

  it("accepts a map of series and a shared x, and counts values <= 0 under logy", function()
    local file, clipped = P.lines{file = "out/test_map.svg", x = {1, 2, 3}, series = {b = {1, 2, 3}, a = {3, 0, -1}},
      logy = true}
    check.eq(clipped, 2)
    local els = parse_xml(read(file))
    check.eq(#select(els, "path", "series"), 2)
    check.eq(select(els, "path", "series")[1].attrs["data-name"], "a") -- sorted names
    check.truthy(has_text(els, "logy: 2 values &lt;= 0 not shown"))
  end)

  it("decimates long series and keeps spikes", function()
    local y = {}
    for i = 1, 100000 do y[i] = math.sin(i / 1000) end
    y[54321] = 50
    local file = P.lines{file = "out/test_long.svg", series = {{name = "long", y = y}}}
    local els = parse_xml(read(file))
    local d = select(els, "path", "series")[1].attrs.d
    local pts = 0
    for _ in d:gmatch("[ML]") do pts = pts + 1 end
    check.truthy(pts < 6000, "decimated to " .. pts)
    check.truthy(has_text(els, "50"), "the spike sets the range")
  end)

  it("draws lr_find results", function()
    local res = {lr = slope.vec{1e-3, 1e-2, 1e-1, 1}, loss = slope.vec{1, 0.8, 0.3, 50},
      smoothed = slope.vec{1, 0.9, 0.6, 10}, suggestion = 0.05, stopped_at = 4}
    local els = parse_xml(read(P.lr_find(res, "out/test_lrfind.svg")))
    check.eq(#select(els, "path", "series"), 2)
    check.eq(#select(els, "line", "vline"), 1)
    check.errors(function() P.lr_find(5) end, "slope.plot.lr_find: expected the result of slope.lr_find")
  end)

  it("rejects bad options", function()
    check.errors(function() P.lines{series = {}} end, "slope.plot.lines: series is empty")
    check.errors(function() P.lines{} end, "series must be a table")
    check.errors(function() P.lines{series = {{name = "a"}}} end, "series[1] has no y")
    check.errors(function() P.lines{series = {{y = {1, "x"}}}} end, "y[2] must be a number")
    check.errors(function() P.lines{series = {a = {1, 2}}, x = {1}} end, "has 2 y values but 1 x values")
    check.errors(function() P.lines{series = {a = {1}}, smooth = 1} end, "smooth must be a number in [0, 1)")
    check.errors(function() P.lines{series = {a = {1}}, colour = 1} end, "unknown option 'colour'")
    check.errors(function() P.lines{series = {a = {-1, 0}}, logy = true} end, "nothing to draw")
    check.errors(function() P.lines{series = {a = {1}}, width = 5} end, "width must be a number in [100, 10000]")
    check.errors(function() P.lines{series = {a = {1}}, hlines = {{y = 0 / 0}}} end, "hlines[1].y must be a finite")
    check.errors(function() P.lines{series = {a = {1}}, ylim = {2, 1}} end, "ylim must be {a, b}")
    check.errors(function() P.lines{series = {a = {1}}, file = 3} end, "file must be a string")
    check.errors(function() P.lines(3) end, "expected a table of options")
    check.errors(function() P.lines{series = {a = {1}}, file = "out/test_lines.svg/x.svg"} end, "cannot write")
  end)
end)

describe("slope.plot.contour", function()
  it("draws levels, paths with start and end markers, and a legend", function()
    local f = function(x, y) return (1 - x) ^ 2 + 100 * (y - x * x) ^ 2 end
    local file, levels = P.contour{file = "out/test_contour.svg", f = f, xlim = {-2, 2}, ylim = {-1, 3}, levels = 8,
      grid = 40, paths = {{name = "gd", x = {-1, 0, 1}, y = {2, 1, 1}}, {slope.vec{0, 0}, slope.vec{0.5, 0.25}}}}
    check.eq(#levels, 8)
    for k = 2, 8 do check.truthy(levels[k] > levels[k - 1]) end
    local els = parse_xml(read(file))
    check.eq(#select(els, "path", "contour"), 8)
    check.eq(#select(els, "path", "optpath"), 2)
    check.eq(#select(els, "circle", "start"), 2)
    check.eq(#select(els, "rect", "end"), 2)
    check.eq(#select(els, "text", "legend-entry"), 4) -- two paths, start, end
    check.truthy(has_text(els, "gd") and has_text(els, "path 2"))
  end)

  it("takes explicit levels and linear spacing", function()
    local _, lv = P.contour{file = "out/test_contour2.svg", f = function(x, y) return x * x + y * y end,
      xlim = {-1, 1}, ylim = {-1, 1}, levels = {0.25, 0.5}, grid = 10}
    check.eq(#lv, 2)
    local _, lin = P.contour{file = "out/test_contour3.svg", f = function(x, y) return x + y end,
      xlim = {0, 1}, ylim = {0, 1}, levels = 3, logscale = false, grid = 10}
    check.veq(slope.vec(lin), {0.5, 1, 1.5}, 1e-12)
  end)

  it("evaluates objectives through f:value", function()
    local obj = {dim = 2, calls = 0, value = function(self, x) self.calls = self.calls + 1; return x[1] ^ 2 + x[2] ^ 2 end}
    P.contour{file = "out/test_contour4.svg", f = obj, xlim = {-1, 1}, ylim = {-1, 1}, grid = 10}
    check.eq(obj.calls, 121)
    check.errors(function() P.contour{f = {dim = 3, value = obj.value}, xlim = {0, 1}, ylim = {0, 1}} end,
      "slope.plot.contour: f must be a 2-D objective, got dim 3")
  end)

  it("rejects bad options", function()
    local f = function(x, y) return x + y end
    check.errors(function() P.contour{f = f, xlim = {1, 0}, ylim = {0, 1}} end, "slope.plot.contour: xlim must be {a, b}")
    check.errors(function() P.contour{f = f, xlim = {0, 1}} end, "ylim must be {a, b}")
    check.errors(function() P.contour{f = 3, xlim = {0, 1}, ylim = {0, 1}} end, "f must be a function(x, y) or an objective")
    check.errors(function() P.contour{f = f, xlim = {0, 1}, ylim = {0, 1}, grid = 2} end, "grid must be an integer in [4, 1000]")
    check.errors(function() P.contour{f = f, xlim = {0, 1}, ylim = {0, 1}, levels = {2, 1}} end, "levels must be increasing")
    check.errors(function() P.contour{f = f, xlim = {0, 1}, ylim = {0, 1}, levels = 0} end, "levels must be an integer")
    check.errors(function() P.contour{f = function() return 0 / 0 end, xlim = {0, 1}, ylim = {0, 1}} end, "no finite value")
    check.errors(function() P.contour{f = function() return "a" end, xlim = {0, 1}, ylim = {0, 1}} end, "f returned string")
    check.errors(function() P.contour{f = f, xlim = {0, 1}, ylim = {0, 1}, paths = {{x = {1}, y = {1, 2}}}} end,
      "paths[1] has 1 x but 2 y values")
    check.errors(function() P.contour{f = f, xlim = {0, 1}, ylim = {0, 1}, paths = {{1, 2}}} end,
      "paths[1][1] must be a point")
  end)
end)

describe("slope.plot.histogram", function()
  it("bins values, with density and a note for non-finite values", function()
    local file = P.histogram{file = "out/test_hist.svg", values = {1, 2, 2, 3, 3, 3, 0 / 0}, bins = 3, density = true}
    local els = parse_xml(read(file))
    local bars = select(els, "rect", "bar")
    check.eq(#bars, 3)
    local h = {}
    for i, b in ipairs(bars) do h[i] = tonumber(b.attrs.height) end
    check.near(h[2] / h[1], 2, 1e-3); check.near(h[3] / h[1], 3, 1e-3)
    check.truthy(has_text(els, "1 non-finite value left out"))
    local c, w = S.bin_counts({0, 0.5, 1, 1, 2}, 2, 0, 2)
    check.eq(w, 1.0); check.eq(c[1], 2); check.eq(c[2], 3)
  end)

  it("draws spikes for nodes and weights and a line for a density", function()
    local els = parse_xml(read(P.histogram{file = "out/test_spikes.svg", nodes = {1, 2, 5}, weights = {0.5, 0.3, 0.2},
      logy = true}))
    check.eq(#select(els, "line", "spike"), 3)
    els = parse_xml(read(P.histogram{file = "out/test_density.svg", grid = slope.vec.linspace(-1, 1, 21),
      density = slope.vec.ones(21)}))
    check.eq(#select(els, "path", "series"), 1)
  end)

  it("rejects bad options", function()
    check.errors(function() P.histogram{} end, "slope.plot.histogram: give exactly one of values=")
    check.errors(function() P.histogram{values = {1}, nodes = {1}} end, "give exactly one of")
    check.errors(function() P.histogram{values = {0 / 0}} end, "values has no finite entries")
    check.errors(function() P.histogram{values = {1, 2}, bins = 0} end, "bins must be an integer in [1, 100000]")
    check.errors(function() P.histogram{values = {1, 2}, density = {1}} end, "density must be a boolean")
    check.errors(function() P.histogram{nodes = {1, 2}, weights = {1}} end, "2 nodes but 1 weights")
    check.errors(function() P.histogram{nodes = {1}, weights = {-1}} end, "weights[1] must be a finite number >= 0")
    check.errors(function() P.histogram{grid = {1, 2}, density = {1}} end, "2 grid points but 1 density values")
  end)
end)

describe("slope.plot.spark", function()
  it("maps values to eight bar heights, NaN to a space", function()
    check.eq(P.spark{1, 2, 3, 4, 5, 6, 7, 8}, "▁▂▃▄▅▆▇█")
    check.eq(P.spark{0, 0 / 0, 1}, "▁ █")
    check.eq(P.spark{2, 2}, "▄▄")
    check.eq(P.spark(slope.vec{1, 1, 3, 3}, 2), "▁█")
    check.eq(P.spark{}, "")
    check.errors(function() P.spark({1}, 0) end, "slope.plot.spark: width must be an integer >= 1")
    check.errors(function() P.spark("x") end, "values must be a vec or a table")
  end)
end)
