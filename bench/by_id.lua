-- memberByIdNumber over a list of real ID numbers (ids.txt), round robin.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")

local ids = {}
for line in io.lines(os.getenv("IDS_FILE") or "ids.txt") do
  ids[#ids + 1] = line
end
local i = 0

function request()
  i = i % #ids + 1
  local body = '{"query":"query($n: String!) { memberByIdNumber(idNumber: $n) { id name idNumber } }","variables":{"n":"' .. ids[i] .. '"}}'
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"') then
    io.stderr:write("unexpected answer: " .. status .. " " .. string.sub(body, 1, 200) .. "\n")
  end
end
