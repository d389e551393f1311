-- data.lua — slope.data.load(name): the small real data sets shipped in
-- examples/data/ (see examples/data/README.md for provenance and shapes).
local slope = ...
local data = slope.data

-- Search order: slope.data.dirs() — $SLOPE_DATA (unless slope -E), next to the
-- program and to the module, the install prefix, then examples/data under the
-- working directory — so load works from any directory.
local function load(name)
  if type(name) ~= "string" or not name:match("^[%w_%-]+$") then
    error(("slope.data.load: name must be letters, digits, '_' or '-', got %s"):format(
      type(name) == "string" and ("'" .. name .. "'") or type(name)), 2)
  end
  local tried, seen = {}, {}
  for _, dir in ipairs(data.dirs()) do
    local path = dir .. "/" .. name .. ".csv"
    if not seen[path] then
      seen[path] = true
      local f = io.open(path, "rb")
      if f then
        f:close()
        local D = data.csv(path)
        D.name, D.path = name, path
        return D
      end
      tried[#tried + 1] = path
    end
  end
  error(("slope.data.load: no data set '%s' (tried %s)"):format(name, table.concat(tried, ", ")), 2)
end

data.load = slope._doc(load, "slope.data.load",
  "slope.data.load(name) -> {X=mat, y=vec, names=, target=}",
  "A shipped data set (breast_cancer, digits, iris, wine, diabetes), found from any directory: "
  .. "$SLOPE_DATA/<name>.csv first (ignored under slope -E), then next to the slope program or "
  .. "module, the install prefix's share/slope/data, examples/data (see slope.data.dirs()).")
