--[[ repair_request_indexes: make the per-address live-demo slots and the wait queues agree with the
request records again.
keys:    KEYS[1] base
args:    now, deep ('1': also scan every ip:* and r:* key: finds a stale slot of an address that has
         no live request, and a queued request missing from its queue; costs O(keyspace))
returns: {'ok', {fix...}}   one line per repair, e.g. '-ip:10.0.0.1 rabc', '+t:hello:queue rabc'
errors:  BADARG on malformed arguments
A request is live (holds one of its address's slots in ip:<ip>) while it is queued, or assigned
and its instance is assigned to it. t:<tpl>:queue holds exactly the queued requests of tpl, each
once, in order (a missing one is appended). Without deep, the addresses looked at are those of the
live requests (queues of known templates, assigned instances).
]]
local function repair_request_indexes(keys, args)
  local b = keys[1]
  int(args[1], 'now', 0)
  local deep = (args[2] or '0') == '1'
  local n = #b
  local fixes = {}
  local function fixed(line)
    fixes[#fixes + 1] = line
  end
  local reqs = {}
  local function req(rid)
    if reqs[rid] == nil then
      reqs[rid] = load(k_req(b, rid)) or false
    end
    return reqs[rid]
  end
  local function live(rid)
    local q = req(rid)
    if not q then
      return false
    end
    if q.state == 'queued' then
      return true
    end
    if q.state == 'assigned' and q.instance_id then
      local inst = redis.call('HMGET', k_inst(b, q.instance_id), 'state', 'request_id')
      return inst[1] == 'assigned' and inst[2] == rid
    end
    return false
  end
  local tpls, ips, cand = {}, {}, {}
  for _, t in ipairs(redis.call('SMEMBERS', b .. 'templates')) do
    tpls[t] = true
  end
  for _, id in ipairs(redis.call('SMEMBERS', k_state(b, 'assigned'))) do
    local rid = redis.call('HGET', k_inst(b, id), 'request_id')
    if rid then
      cand[rid] = true
    end
  end
  if deep then
    for _, k in ipairs(scan(b .. 'ip:*')) do
      ips[string.sub(k, n + 4)] = true
    end
    for _, k in ipairs(scan(b .. 'r:*')) do
      cand[string.sub(k, n + 3)] = true
    end
  end
  -- the queues: only queued requests of the template, each once, order kept
  for t in pairs(tpls) do
    local qk = k_queue(b, t)
    local list = redis.call('LRANGE', qk, 0, -1)
    local keep, seen = {}, {}
    for _, rid in ipairs(list) do
      local q = req(rid)
      if q and q.state == 'queued' and q.template == t and not seen[rid] then
        keep[#keep + 1] = rid
        seen[rid] = true
        cand[rid] = true
      else
        fixed('-t:' .. t .. ':queue ' .. rid)
      end
    end
    if #keep ~= #list then
      redis.call('DEL', qk)
      if #keep > 0 then
        redis.call('RPUSH', qk, unpack(keep))
      end
    end
  end
  local rids = {}
  for rid in pairs(cand) do
    rids[#rids + 1] = rid
  end
  table.sort(rids)
  for _, rid in ipairs(rids) do
    local q = req(rid)
    if q and q.client_ip then
      ips[q.client_ip] = true
    end
    if q and q.state == 'queued' and q.template
        and not redis.call('LPOS', k_queue(b, q.template), rid) then
      redis.call('RPUSH', k_queue(b, q.template), rid)
      fixed('+t:' .. q.template .. ':queue ' .. rid)
    end
  end
  -- the slots: exactly the live requests of each address
  for ip in pairs(ips) do
    for _, rid in ipairs(redis.call('SMEMBERS', k_ip(b, ip))) do
      local q = req(rid)
      if not (q and q.client_ip == ip and live(rid)) then
        redis.call('SREM', k_ip(b, ip), rid)
        fixed('-ip:' .. ip .. ' ' .. rid)
      end
    end
  end
  for _, rid in ipairs(rids) do
    local q = req(rid)
    if q and q.client_ip and live(rid) and redis.call('SADD', k_ip(b, q.client_ip), rid) == 1 then
      fixed('+ip:' .. q.client_ip .. ' ' .. rid)
    end
  end
  return {'ok', fixes}
end
fn('repair_request_indexes', repair_request_indexes)
