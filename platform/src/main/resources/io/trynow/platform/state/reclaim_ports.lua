--[[ reclaim_ports: repair — free every port held by no live instance (the orphan sweeper's).
keys:    KEYS[1] base
args:    now, max
returns: {'ok', {port, holder, port, holder, ...}}   at most max ports freed, each with the id
                                                     that was recorded as holding it
errors:  BADARG on malformed arguments
A port in ports:used whose holder has no record, is not live, or records another port is taken
out of ports:used and, when it lies within the configured range, put back into ports:free.
Every other function keeps ports consistent on its own; this only repairs damage from outside
(manual edits, restores). Idempotent.
]]
local function reclaim_ports(keys, args)
  local b = keys[1]
  int(args[1], 'now', 0)
  local max = int(args[2], 'max', 1)
  local used = b .. 'ports:used'
  local range = redis.call('HMGET', b .. 'ports:range', 'first', 'last')
  local first, last = tonumber(range[1]), tonumber(range[2])
  local out = {}
  local flat = redis.call('HGETALL', used)
  for i = 1, #flat, 2 do
    if #out >= 2 * max then
      break
    end
    local p, holder = flat[i], flat[i + 1]
    local rec = load(k_inst(b, holder))
    if rec == nil or not IS_LIVE[rec.state] or rec.port ~= p then
      redis.call('HDEL', used, p)
      local n = tonumber(p)
      if first and last and n and n >= first and n <= last then
        redis.call('SADD', b .. 'ports:free', p)
      end
      out[#out + 1] = p
      out[#out + 1] = holder
    end
  end
  return {'ok', out}
end
fn('reclaim_ports', reclaim_ports)
