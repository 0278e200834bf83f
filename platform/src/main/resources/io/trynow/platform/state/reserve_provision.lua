--[[ reserve_provision: create `requested` records while the pool needs them.
keys:    KEYS[1] base
args:    now, template, min_ready, max_total, max_in_flight, id...
returns: {'ok', {created ids}, requested, provisioning, started, ready, assigned, terminating,
         waiting}   (counts after the call)
errors:  BADARG on malformed arguments, more than 100 ids, or an id that already exists
Creates the next id while  ready + coming < min_ready + waiting  and  live < max_total  and
in_docker < max_in_flight  (coming = requested + provisioning + started; in_docker = requested +
provisioning: a started container has left the engine's work, only its route is pending, so the
next one starts meanwhile — a flash crowd is served at the engine's pace, not at engine + route
sync), all counted in this one call: concurrent callers can never provision past the target (the
count and the reservation are one transition).
min_ready is raised to the pool's service target when one is set (slo:<tpl> target, written by
set_pool_target): every replica reads the same target in the same atomic call.
The template's failure circuit (c:<tpl>) is obeyed here, so every pool replica obeys it: open ->
nothing is created; open past open_until -> one probe is created and the circuit is half-open;
half-open -> a new probe only when the last one is no longer in flight.
]]
local IN_FLIGHT = {requested = true, provisioning = true, started = true}

-- How many ids the circuit lets this call create (100 = no limit), and whether it is a probe.
local function circuit_room(b, tpl, now)
  local c = circuit(b, tpl)
  if c.state == 'closed' then
    return 100, false
  end
  if c.state == 'open' and numf(c, 'open_until') > now then
    return 0, false
  end
  if c.state == 'half_open' and c.probe and c.probe ~= '' then
    local st = redis.call('HGET', k_inst(b, c.probe), 'state')
    if st and IN_FLIGHT[st] then
      return 0, false
    end
  end
  return 1, true
end

local function reserve_provision(keys, args)
  local b = keys[1]
  local now = int(args[1], 'now', 0)
  local tpl = check_tpl(args[2])
  local min_ready = int(args[3], 'min_ready', 0)
  local max_total = int(args[4], 'max_total', 0)
  local max_in_flight = int(args[5], 'max_in_flight', 0)
  if #args - 5 > 100 then
    bad('at most 100 ids')
  end
  for i = 6, #args do
    check_id(args[i])
    if redis.call('EXISTS', k_inst(b, args[i])) == 1 then
      bad('id exists: ' .. args[i])
    end
  end

  -- the pool's service target (set_pool_target) raises the floor; the budget still caps it
  local target = tonumber(redis.call('HGET', k_slo(b, tpl), 'target') or '0') or 0
  if target > min_ready then
    min_ready = target
  end
  local c = counts(b, tpl)
  local coming = c.requested + c.provisioning + c.started
  local in_docker = c.requested + c.provisioning
  local live = coming + c.ready + c.assigned + c.terminating
  local room, probe = circuit_room(b, tpl, now)
  local created = {}
  for i = 6, #args do
    if coming + c.ready >= min_ready + c.waiting or live >= max_total
        or in_docker >= max_in_flight or #created >= room then
      break
    end
    local id = args[i]
    redis.call('HSET', k_inst(b, id), 'id', id, 'template', tpl, 'state', 'requested',
      'version', '1', 'fence', '0', 'lease_until', '0', 'created_at', s(now))
    redis.call('SADD', k_state(b, 'requested'), id)
    redis.call('SADD', k_tstate(b, tpl, 'requested'), id)
    c.requested = c.requested + 1
    coming = coming + 1
    in_docker = in_docker + 1
    live = live + 1
    created[#created + 1] = id
  end
  if #created > 0 then
    redis.call('SADD', b .. 'templates', tpl)
    if probe then
      redis.call('HSET', k_circuit(b, tpl), 'state', 'half_open', 'probe', created[1],
        'changed_at', s(now))
    end
  end
  return {'ok', created, count_strings(c)}
end
fn('reserve_provision', reserve_provision)
