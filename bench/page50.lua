-- A page of 50 families with their members (masked), as a county worker's list view.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = '{"query":"{ families(first: 50) { edges { node { id regionCode status members { id name role age idNumber phone } } } pageInfo { hasNextPage endCursor } } }"}'

function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"') then
    io.stderr:write("unexpected answer: " .. status .. " " .. string.sub(body, 1, 200) .. "\n")
  end
end
