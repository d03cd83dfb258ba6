-- Learner journeys for wrk 4: the delivery benchmark's requests, in journey order.
--
-- wrk -t T -c C -d S -s bench/wrk_journey.lua URL -- PLAN [statuses]
--
-- PLAN is a Lua file written by bench/wrk_load.py returning
--   { requests = { "GET ... HTTP/1.1\r\n...\r\n\r\n", ... },  -- every distinct request, raw
--     journeys = { { 1, 2, 3, ... }, ... },                    -- one per browser: request numbers
--     order = { 3, 1, 1, 6, ... },                             -- the sampled journeys' browsers
--     stride = N }                                             -- how far apart threads start in order
--
-- Each thread walks the sampled journeys one request after another, from its own place in the
-- list. wrk 4's script hooks do not say which connection a request is for, so a connection walks
-- journeys of its own only when its thread has one connection (-t equal to -c); with more, the
-- thread's connections take its journeys' requests in turn.
--
-- With "statuses", response() counts answers by status code (which makes wrk hand every body
-- to Lua); without it wrk skips the bodies and only counts statuses above 399 (summary.errors).
-- done() prints one line, "wrk-journey-result <JSON>", that bench/wrk_load.py reads.

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
  thread:set("id", #threads)
end

function init(args)
  local plan = dofile(args[1])
  requests, journeys, order = plan.requests, plan.journeys, plan.order
  place = ((id - 1) * plan.stride) % #order + 1
  journey = journeys[order[place]]
  step = 0
  begun = 1
  statuses = {}
  if args[2] ~= "statuses" then
    response = nil
  end
end

function request()
  step = step + 1
  if step > #journey then
    place = place % #order + 1
    journey = journeys[order[place]]
    step = 1
    begun = begun + 1
  end
  return requests[journey[step]]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

local function json(value)
  local kind = type(value)
  if kind == "table" then
    local parts = {}
    if #value > 0 then
      for _, item in ipairs(value) do
        parts[#parts + 1] = json(item)
      end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    for key, item in pairs(value) do
      parts[#parts + 1] = string.format("%q:%s", tostring(key), json(item))
    end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif kind == "number" then
    if value ~= value then
      return "null"
    end
    return string.format("%.17g", value)
  elseif kind == "string" then
    return string.format("%q", value)
  end
  return tostring(value)
end

function done(summary, latency, rates)
  local walked = {}
  for _, thread in ipairs(threads) do
    walked[#walked + 1] = { journeys_begun = thread:get("begun"), statuses = thread:get("statuses") }
  end
  local percentiles = {}
  for _, share in ipairs({ 50, 90, 95, 99, 99.9 }) do
    percentiles[tostring(share)] = latency:percentile(share)
  end
  io.write("wrk-journey-result ", json({
    duration_us = summary.duration,
    requests = summary.requests,
    bytes = summary.bytes,
    errors = summary.errors,
    latency_us = { min = latency.min, max = latency.max, mean = latency.mean, stdev = latency.stdev,
                   percentiles = percentiles },
    threads = walked,
  }), "\n")
end
