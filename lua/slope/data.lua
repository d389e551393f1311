-- data.lua — slope.data.load(name): the small real data sets shipped in
-- examples/data/ (see examples/data/README.md for provenance and shapes).
local slope = ...
local data = slope.data

-- Search order: $SLOPE_DATA/<name>.csv (when SLOPE_DATA is set and not empty),
-- then examples/data/<name>.csv relative to the working directory.
local function load(name)
  if type(name) ~= "string" or not name:match("^[%w_%-]+$") then
    error(("slope.data.load: name must be letters, digits, '_' or '-', got %s"):format(
      type(name) == "string" and ("'" .. name .. "'") or type(name)), 2)
  end
  local dirs, tried = {}, {}
  local env = os.getenv("SLOPE_DATA")
  if env and env ~= "" then dirs[#dirs + 1] = env end
  dirs[#dirs + 1] = "examples/data"
  for _, dir in ipairs(dirs) do
    local path = dir .. "/" .. name .. ".csv"
    local f = io.open(path, "rb")
    if f then
      f:close()
      local D = data.csv(path)
      D.name, D.path = name, path
      return D
    end
    tried[#tried + 1] = path
  end
  error(("slope.data.load: no data set '%s' (tried %s)"):format(name, table.concat(tried, ", ")), 2)
end

data.load = slope._doc(load, "slope.data.load",
  "slope.data.load(name) -> {X=mat, y=vec, names=, target=}",
  "A shipped data set (breast_cancer, digits, iris, wine, diabetes) read from $SLOPE_DATA/<name>.csv, "
  .. "else examples/data/<name>.csv under the working directory.")
