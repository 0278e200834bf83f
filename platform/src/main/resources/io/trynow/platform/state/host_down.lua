--[[ host_down / host_up: drain a Docker host that stopped answering; re-admit it.
keys:    KEYS[1] base
host_down args: now, host, reason, retention_ms
returns: {'ok', newly, {instance...}}   the host is in hosts:down (placement skips it; newly = '1'
         when this call drained it); every live instance placed on it left h:<host>: terminating
         ones become terminated (their container went with the host), the others failed (an
         assigned one takes its request along, so its visitor is told), ports freed. The records
         are returned once, to the caller that drained them, to publish their events.
host_up args: now, host
returns: {'ok', was_down}   the host takes placements again
hosts_down args: now
returns: {'ok', {host, since_ms, ...}}
errors:  BADARG on malformed arguments
]]
local function host_down(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local host = check_host(args[2])
  local why = check(args[3], '.', 1, 500, 'an error text')
  local retention = int(args[4], 'retention_ms', 1)
  local newly = redis.call('HSETNX', b .. 'hosts:down', host, s(now))
  local out = {}
  local hk = k_host(b, host)
  for _, id in ipairs(redis.call('SMEMBERS', hk)) do
    local rec = load(k_inst(b, id))
    if rec and rec.state == 'terminating' then
      finish(b, id, rec, 'terminated', now, retention)
      out[#out + 1] = redis.call('HGETALL', k_inst(b, id))
    elseif rec and IS_LIVE[rec.state] then
      fail(b, id, rec, now, why, retention)
      out[#out + 1] = redis.call('HGETALL', k_inst(b, id))
    end
  end
  redis.call('DEL', hk)
  return {'ok', s(newly), out}
end
fn('host_down', host_down)

local function host_up(keys, args)
  local b = keys[1]
  int(args[1], 'now', 0)
  local host = check_host(args[2])
  return {'ok', s(redis.call('HDEL', b .. 'hosts:down', host))}
end
fn('host_up', host_up)

local function hosts_down(keys, args)
  int(args[1], 'now', 0)
  return {'ok', redis.call('HGETALL', keys[1] .. 'hosts:down')}
end
read_fn('hosts_down', hosts_down)
