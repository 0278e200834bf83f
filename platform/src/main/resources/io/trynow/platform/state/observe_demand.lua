--[[ observe_demand: folds a template's new arrivals into its rate estimate.
keys:    KEYS[1] base
args:    now, template, tau_ms[, burst_tau_ms]   (burst_tau_ms defaults to tau_ms)
returns: {'ok', {field, value...}, {ptime ms...}}   slo:<tpl> after the fold, and
                                                    slo:<tpl>:ptimes (newest first)
errors:  BADARG on malformed arguments
slo:<tpl> holds: arrivals, warm (counted by acquire); seen, seen_warm, at (the last fold), since
(the first); rate, warm_rate (EWMA of arrivals/s and of warm acquires/s, 6 decimals); burst_rate
(EWMA of arrivals/s with the shorter burst_tau_ms: what a rising rate has reached); target,
r_ms, target_at, moved_at, and what the target came from: sizing_rate, raw_target, wait_ms
(set_pool_target); retired_at (retire_surplus); version (bumped by every
fold and every set). With dt = now - at and d = exp(-dt / tau):
rate' = rate * d + (n / dt) * (1 - d), n the arrivals since the last fold (burst_rate the same
with exp(-dt / burst_tau)). Calls are serialized
in Valkey, so the estimate is the same whichever replica calls and however often.
]]
local function observe_demand(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local tpl = check_tpl(args[2])
  local tau = int(args[3], 'tau_ms', 1)
  local burst_tau = tau
  if args[4] ~= nil then
    burst_tau = int(args[4], 'burst_tau_ms', 1)
  end
  local k = k_slo(b, tpl)
  local f = redis.call('HMGET', k, 'arrivals', 'warm', 'seen', 'seen_warm', 'at', 'rate',
    'warm_rate', 'burst_rate')
  local arrivals = tonumber(f[1] or '0') or 0
  local warm = tonumber(f[2] or '0') or 0
  local at = tonumber(f[5] or '0') or 0
  local rate = tonumber(f[6] or '0') or 0
  local warm_rate = tonumber(f[7] or '0') or 0
  local burst_rate = tonumber(f[8] or '0') or 0
  if at == 0 then
    redis.call('HSET', k, 'seen', s(arrivals), 'seen_warm', s(warm), 'at', s(now),
      'since', s(now), 'rate', fmt6(0), 'warm_rate', fmt6(0), 'burst_rate', fmt6(0))
    redis.call('HINCRBY', k, 'version', 1)
  elseif now > at then
    local dt = now - at
    local d = math.exp(-dt / tau)
    local n = arrivals - (tonumber(f[3] or '0') or 0)
    local nw = warm - (tonumber(f[4] or '0') or 0)
    rate = rate * d + (n * 1000 / dt) * (1 - d)
    warm_rate = warm_rate * d + (nw * 1000 / dt) * (1 - d)
    local db = math.exp(-dt / burst_tau)
    burst_rate = burst_rate * db + (n * 1000 / dt) * (1 - db)
    redis.call('HSET', k, 'seen', s(arrivals), 'seen_warm', s(warm), 'at', s(now),
      'rate', fmt6(rate), 'warm_rate', fmt6(warm_rate), 'burst_rate', fmt6(burst_rate))
    redis.call('HINCRBY', k, 'version', 1)
  end
  return slo_reply(b, tpl)
end
fn('observe_demand', observe_demand)
