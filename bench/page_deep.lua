-- A page of 50 families with their members (masked), after a random family of the city
-- (cursors in CURSORS_FILE, round robin): pages anywhere in the list, as a county worker
-- paging far in, or a script walking the whole registry.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")

local cursors = {}
for line in io.lines(os.getenv("CURSORS_FILE")) do
  cursors[#cursors + 1] = line
end
local i = 0

function request()
  i = i % #cursors + 1
  local body = '{"query":"query($a: String) { families(first: 50, after: $a) { edges { node { id regionCode status members { id name role age idNumber phone } } } pageInfo { hasNextPage endCursor } } }","variables":{"a":"' .. cursors[i] .. '"}}'
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"') then
    io.stderr:write("unexpected answer: " .. status .. " " .. string.sub(body, 1, 200) .. "\n")
  end
end
