--[[ init_ports: make the free-port set match the configured range.
keys:    KEYS[1] base
args:    now, first, last
returns: {'ok', free count, used count}
errors:  BADARG when 1 <= first <= last <= 65535 does not hold
Adds every port of the range that is neither free nor used; drops free ports outside it. Used
ports outside the range stay with their instance and are not put back when freed. Idempotent.
]]
local function init_ports(keys, args)
  local b = keys[1]
  local first = int(args[2], 'first', 1)
  local last = int(args[3], 'last', 1)
  if last > 65535 or first > last then
    bad('ports must satisfy 1 <= first <= last <= 65535')
  end
  local free, used = b .. 'ports:free', b .. 'ports:used'
  redis.call('HSET', b .. 'ports:range', 'first', s(first), 'last', s(last))
  for _, p in ipairs(redis.call('SMEMBERS', free)) do
    local n = tonumber(p)
    if n < first or n > last then
      redis.call('SREM', free, p)
    end
  end
  for p = first, last do
    local ps = s(p)
    if redis.call('HEXISTS', used, ps) == 0 then
      redis.call('SADD', free, ps)
    end
  end
  return {'ok', s(redis.call('SCARD', free)), s(redis.call('HLEN', used))}
end
fn('init_ports', init_ports)
